"""Questions to review: collected from the tracker, redacted, grouped, labelled by a content editor, exported."""

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from django.urls import reverse

from clinic.redact import redact
from clinic.review_export import Labelled, export
from clinic.review_groups import group_messages
from staff.escalations import review
from staff.escalations.models import AuditEntry, ReviewItem
from staff.escalations.roles import CONTENT_EDITOR, create_user
from tests.staff.conftest import PASSWORD


@pytest.fixture
def editor_client(db):
    from django.test import Client

    client = Client()
    client.force_login(create_user("editor.eve", PASSWORD, CONTENT_EDITOR))
    return client


def test_redaction_of_phones_emails_and_the_conversations_names():
    text = "I'm maria, call (949) 555-0142 or +52 55 1234 5678, or write maria.g@example.org"
    assert redact(text, ["Maria"]) == "I'm <name>, call <phone> or <phone>, or write <email>"
    # Doses, years and prices are not phone numbers; an @ alone is not an address.
    assert redact("50 mg twice, since 2019, $400, me @ home", []) == "50 mg twice, since 2019, $400, me @ home"


def test_similar_messages_are_grouped_with_keywords():
    texts = [
        "does medicare cover ketamine",
        "is medicare accepted",
        "do you take medicare?",
        "where can I park",
        "is there parking near the irvine clinic",
        "parking?",
    ]
    groups = group_messages(texts)
    as_sets = [{texts[i] for i in group.members} for group in groups]
    assert {"does medicare cover ketamine", "is medicare accepted", "do you take medicare?"} in as_sets
    assert {"is there parking near the irvine clinic", "parking?"} <= next(s for s in as_sets if "parking?" in s)
    assert groups[0].keywords[0] == "medicare"


def test_collects_fallbacks_low_confidence_and_thumbs_down_once(db, tracker_store, make_escalation):
    make_escalation(conversation_id="web-maria", first_name="Maria")
    tracker_store.add(
        "web-maria",
        tracker_store.slot("language", "es"),
        tracker_store.user("soy Maria, mi numero es 949 555 0142, cubre medicare?", "nlu_fallback", 0.2),
        tracker_store.user("what are your hours", "clinic_hours", 0.98),
        tracker_store.user("is medicare taken", "cost_insurance", 0.41),
        tracker_store.user("i want to die", "crisis", 0.3),
        tracker_store.user("/affirm", "affirm", 0.1),
        tracker_store.rating("utter_ketamine_onset", "how soon will I feel better", "down"),
        tracker_store.rating("utter_clinic_hours", "what are your hours", "up"),
    )
    assert review.collect() == 3
    assert review.collect() == 0  # the same events are never collected twice
    items = {item.kind: item for item in ReviewItem.objects.all()}
    assert set(items) == {"fallback", "low_confidence", "thumbs_down"}
    assert items["fallback"].text == "soy <name>, mi numero es <phone>, cubre medicare?"
    assert items["fallback"].language == "es"
    assert (items["low_confidence"].predicted_intent, items["low_confidence"].confidence) == ("cost_insurance", 0.41)
    assert (items["thumbs_down"].text, items["thumbs_down"].predicted_intent) == (
        "how soon will I feel better",
        "ketamine_onset",
    )


def test_the_confidence_threshold_is_a_setting(db, tracker_store, monkeypatch):
    tracker_store.add("web-a", tracker_store.user("is medicare taken", "cost_insurance", 0.7))
    monkeypatch.setenv("REVIEW_CONFIDENCE_THRESHOLD", "0.8")
    assert review.collect() == 1


def test_review_page_shows_groups_with_counts_and_redacted_examples(editor_client, tracker_store):
    for index, text in enumerate(["does medicare cover it", "do you take medicare", "medicare accepted?"]):
        tracker_store.add(f"web-{index}", tracker_store.user(text, "nlu_fallback", 0.1))
    tracker_store.add("web-9", tracker_store.user("call me at 714 555 0100 about parking", "nlu_fallback", 0.1))
    html = editor_client.get(reverse("review")).content.decode()
    assert "3 people asked about “medicare" in html
    assert "call me at &lt;phone&gt; about parking" in html and "714" not in html
    assert "4 messages to review in 2 groups" in html


def test_a_content_editor_labels_a_group_and_it_leaves_the_open_list(editor_client, tracker_store):
    tracker_store.add("web-1", tracker_store.user("does medicare cover it", "nlu_fallback", 0.1))
    tracker_store.add("web-2", tracker_store.user("blorp", "nlu_fallback", 0.1))
    editor_client.get(reverse("review"))
    medicare = ReviewItem.objects.get(text="does medicare cover it")
    page = editor_client.post(
        reverse("review_label"),
        {"items": [medicare.pk], "decision": "labelled", "intent": "cost_insurance"},
        follow=True,
    ).content.decode()
    assert "1 message(s) recorded as “Labelled with an intent”" in page
    medicare.refresh_from_db()
    assert (medicare.status, medicare.intent, medicare.labelled_by.username) == (
        "labelled",
        "cost_insurance",
        "editor.eve",
    )
    assert "1 message to review in 1 group" in page


@pytest.mark.parametrize(
    "data, error",
    [
        ({"decision": "labelled", "intent": "not_an_intent"}, "Choose the intent"),
        ({"decision": "new_topic", "note": ""}, "Describe the new topic in the note."),
        ({"decision": "bogus"}, "Choose what to do with the group."),
    ],
)
def test_a_label_needs_a_known_intent_or_a_note(editor_client, tracker_store, data, error):
    tracker_store.add("web-1", tracker_store.user("blorp", "nlu_fallback", 0.1))
    editor_client.get(reverse("review"))
    item = ReviewItem.objects.get()
    page = editor_client.post(reverse("review_label"), {"items": [item.pk], **data}, follow=True).content.decode()
    assert error in page
    item.refresh_from_db()
    assert item.status == "open"


@pytest.mark.parametrize(
    "decision, extra", [("new_topic", {"note": "Medicare Advantage plans"}), ("out_of_scope", {}), ("dismissed", {})]
)
def test_new_topic_out_of_scope_and_dismiss(editor_client, tracker_store, decision, extra):
    tracker_store.add("web-1", tracker_store.user("blorp", "nlu_fallback", 0.1))
    editor_client.get(reverse("review"))
    item = ReviewItem.objects.get()
    editor_client.post(reverse("review_label"), {"items": [item.pk], "decision": decision, **extra})
    item.refresh_from_db()
    assert (item.status, item.intent, item.note) == (decision, "", extra.get("note", ""))


def test_who_may_see_and_label_the_review(staff_client, admin_client, editor_client, tracker_store, make_escalation):
    assert staff_client.get(reverse("review")).status_code == 403
    assert "content editors" in staff_client.get(reverse("review")).content.decode()
    assert admin_client.get(reverse("review")).status_code == 200
    assert admin_client.post(reverse("review_label"), {"decision": "dismissed"}).status_code == 403
    assert editor_client.get(reverse("queue"))["Location"] == reverse("review")
    assert editor_client.get(reverse("dashboard")).status_code == 200
    assert editor_client.get(reverse("audit")).status_code == 403
    # Content editors never see an escalation (contact details), nor change one.
    escalation = make_escalation()
    assert editor_client.get(reverse("detail", args=[escalation.pk])).status_code == 403
    assert editor_client.post(reverse("act", args=[escalation.pk, "flag"]), {"at": "x"}).status_code == 403


def test_staff_flag_a_visitor_turn_from_the_transcript(staff_client, make_escalation):
    at = datetime.now(UTC) - timedelta(minutes=3)
    escalation = make_escalation(
        first_name="Maria",
        transcript=[
            {"role": "user", "text": "Maria here, does the ketamine thing hurt", "at": at.isoformat()},
            {"role": "bot", "text": "Sorry, I did not get that.", "at": (at + timedelta(seconds=1)).isoformat()},
        ],
    )
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert html.count("Flag for review") == 1  # visitor turns only
    page = staff_client.post(reverse("act", args=[escalation.pk, "flag"]), {"at": at.isoformat()}, follow=True)
    assert "Flagged: the message is in the questions to review." in page.content.decode()
    item = ReviewItem.objects.get(kind="flagged")
    assert item.text == "<name> here, does the ketamine thing hurt"
    assert AuditEntry.objects.filter(escalation=escalation, action="flagged").count() == 1
    again = staff_client.post(reverse("act", args=[escalation.pk, "flag"]), {"at": at.isoformat()}, follow=True)
    assert "already in the questions to review" in again.content.decode()
    other = staff_client.post(
        reverse("act", args=[escalation.pk, "flag"]), {"at": "2020-01-01T00:00:00+00:00"}, follow=True
    )
    assert "message of this conversation can be flagged." in other.content.decode()


def test_export_writes_labelled_examples_and_stories_and_skips_conflicts(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: clinic_hours\n  examples: |\n    - when are you open\n', encoding="utf-8"
    )
    stories = tmp_path / "tests" / "reviewed_stories.yml"
    labelled = [
        Labelled("does medicare cover it", "cost_insurance", "web-1", 1.0),
        Labelled("and [blue cross]?", "cost_insurance", "web-1", 2.0),
        Labelled("when are you open", "cost_insurance", "web-2", 1.0),  # already clinic_hours
        Labelled("hmm", "affirm", "web-3", 1.0),
        Labelled("hmm", "deny", "web-4", 1.0),  # two intents for one text
    ]
    result = export(labelled, data, stories)
    nlu = yaml.safe_load((data / "nlu_reviewed.yml").read_text(encoding="utf-8"))
    assert nlu["nlu"] == [{"intent": "cost_insurance", "examples": "- and (blue cross)?\n- does medicare cover it\n"}]
    story = yaml.safe_load(stories.read_text(encoding="utf-8"))["stories"]
    assert len(story) == 1 and "web-1" not in story[0]["story"]
    assert story[0]["steps"] == [
        {"user": "does medicare cover it\n", "intent": "cost_insurance"},
        {"user": "and (blue cross)?\n", "intent": "cost_insurance"},
    ]
    assert len(result.skipped) == 2 and result.examples == 2
    # Rasa reads them as stories of user turns with the labelled intents.
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    [read] = YAMLStoryReader(Domain.empty()).read_from_file(str(stories))
    assert [event.intent_name for event in read.events] == ["cost_insurance", "cost_insurance"]
    empty = export([], data, stories)
    assert empty.examples == 0
    assert yaml.safe_load((data / "nlu_reviewed.yml").read_text(encoding="utf-8")) == {"version": "3.1", "nlu": []}


def test_only_labelled_messages_reach_the_export(editor_client, tracker_store, tmp_path):
    from django.core.management import call_command

    for index, text in enumerate(["does medicare cover it", "blorp", "do you do tms"]):
        tracker_store.add(f"web-{index}", tracker_store.user(text, "nlu_fallback", 0.1))
    editor_client.get(reverse("review"))
    medicare, blorp = ReviewItem.objects.get(text="does medicare cover it"), ReviewItem.objects.get(text="blorp")
    editor_client.post(
        reverse("review_label"), {"items": [medicare.pk], "decision": "labelled", "intent": "cost_insurance"}
    )
    editor_client.post(reverse("review_label"), {"items": [blorp.pk], "decision": "out_of_scope"})
    data = tmp_path / "data"
    data.mkdir()
    call_command("review_export", data_dir=data, stories=tmp_path / "stories.yml")
    written = (data / "nlu_reviewed.yml").read_text(encoding="utf-8")
    assert "does medicare cover it" in written and "blorp" not in written and "tms" not in written
