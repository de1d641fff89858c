"""The "is the assistant helping?" figures, each from the tracker and escalation stores, and their page."""

from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from staff.escalations import stats


def since():
    return datetime.now(UTC) - timedelta(days=1)


def test_conversations_per_day_by_channel_and_language(tracker_store):
    now = datetime.now(UTC).timestamp()
    tracker_store.add(
        "web-1", tracker_store.slot("language", "es", at=now - 50), tracker_store.user("hola", "greet", at=now - 40)
    )
    tracker_store.add(
        "web-2",
        tracker_store.user("hi", "greet", at=now - 30),
        tracker_store.user("hours?", "clinic_hours", at=now - 20),
    )
    tracker_store.add("sms-1", tracker_store.user("hi", "greet", channel="sms", at=now - 10))
    conversations = stats.tracker_conversations(since())
    today = timezone.localdate()
    counts = stats.conversations_per_day(conversations, [today])[today]
    assert counts == {("socketio", "es"): 1, ("socketio", "not recorded"): 1, ("sms", "not recorded"): 1}


def test_containment_is_the_share_of_conversations_without_an_escalation(tracker_store, make_escalation):
    for sender in ("web-1", "web-2", "web-3", "web-4"):
        tracker_store.add(sender, tracker_store.user("hi", "greet"))
    make_escalation(conversation_id="web-4")
    make_escalation(conversation_id="web-elsewhere")  # not a conversation of the period
    share = stats.containment(stats.tracker_conversations(since()))
    assert (share.part, share.whole, share.percent) == (3, 4, 75.0)


def test_fallback_rate_by_language(tracker_store):
    tracker_store.add(
        "web-es",
        tracker_store.slot("language", "es"),
        tracker_store.user("blorp", "nlu_fallback", 0.1),
        tracker_store.user("horario", "clinic_hours"),
    )
    tracker_store.add(
        "web-en",
        *[tracker_store.user(f"q{i}", "clinic_hours") for i in range(3)],
        tracker_store.user("??", "nlu_fallback", 0.1),
    )
    rates = stats.fallback_rate_by_language(stats.tracker_conversations(since()))
    assert {language: (share.part, share.whole) for language, share in rates.items()} == {
        "es": (1, 2),
        "not recorded": (1, 4),
    }
    assert rates["es"].percent == 50.0


def test_helpfulness_by_topic_counts_the_latest_rating_of_each_answer(tracker_store):
    tracker_store.add(
        "web-1",
        tracker_store.rating("utter_clinic_hours", "hours?", "down", answer_at=5.0),
        tracker_store.rating("utter_clinic_hours", "hours?", "up", answer_at=5.0),  # changed their mind
        tracker_store.rating("utter_ketamine_onset", "how fast", "down", answer_at=6.0),
    )
    tracker_store.add("web-2", tracker_store.rating("utter_clinic_hours", "when open", "down", answer_at=7.0))
    helpfulness = stats.helpfulness_by_topic(since())
    assert {topic: (share.part, share.whole) for topic, share in helpfulness.items()} == {
        "our opening hours": (1, 2),
        "how fast ketamine works": (0, 1),
    }


def test_first_response_median_and_p90_by_priority(make_escalation):
    now = datetime.now(UTC)
    start = now - timedelta(hours=5)
    for minutes in (1, 2, 3, 4, 5, 6, 7, 8, 9, 30):
        make_escalation(reason="crisis", created_at=start, first_action_at=start + timedelta(minutes=minutes))
    for minutes in (60, 120):
        make_escalation(created_at=start, first_action_at=start + timedelta(minutes=minutes))
    make_escalation(created_at=start)  # no response yet: not counted
    times = stats.first_response_by_priority(now - timedelta(days=1))
    assert times["urgent"] == stats.ResponseTimes(timedelta(minutes=5.5), timedelta(minutes=9), 10)
    assert times["normal"] == stats.ResponseTimes(timedelta(minutes=90), timedelta(minutes=120), 2)


def test_escalations_by_reason_and_outcome(make_escalation):
    make_escalation(reason="crisis", status="resolved", outcome="referred_emergency")
    make_escalation(reason="crisis")
    make_escalation(reason="appointment", status="resolved", outcome="appointment_booked")
    make_escalation(reason="appointment", status="resolved", outcome="appointment_booked")
    counts = stats.escalations_by_reason_and_outcome(datetime.now(UTC) - timedelta(days=1))
    assert counts == {"crisis": {"referred_emergency": 1, "open": 1}, "appointment": {"appointment_booked": 2}}


def test_the_dashboard_shows_every_figure_with_its_table(staff_client, tracker_store, make_escalation):
    tracker_store.add("web-1", tracker_store.user("hi", "greet"), tracker_store.user("??", "nlu_fallback", 0.1))
    tracker_store.add(
        "web-2", tracker_store.user("hi", "greet"), tracker_store.rating("utter_clinic_hours", "hours?", "up")
    )
    now = datetime.now(UTC)
    make_escalation(
        conversation_id="web-2",
        reason="crisis",
        status="resolved",
        outcome="called_back",
        created_at=now - timedelta(minutes=30),
        first_action_at=now - timedelta(minutes=20),
    )
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert '<p class="big" id="containment">50.0 %</p>' in html
    for table in (
        "conversations-table",
        "fallback-language-table",
        "helpfulness-table",
        "response-table",
        "outcome-table",
    ):
        assert f'id="{table}"' in html, table
    for chart in (
        "conversations-title",
        "fallback-language-title",
        "helpfulness-title",
        "response-times-title",
        "reason-outcome-title",
    ):
        assert f'aria-labelledby="{chart}"' in html, chart
    assert "<td>1</td><td>3</td><td>33.3 %</td>" in html  # fallback: 1 of 3 visitor messages
    assert '<th scope="row">Urgent</th><td>10.0</td><td>10.0</td><td>1</td>' in html


def test_without_the_tracker_the_escalation_figures_still_show(staff_client, make_escalation, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///file:{tmp_path / 'missing.db'}?mode=ro&uri=true")
    make_escalation(reason="crisis")
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert 'id="tracker-unreadable"' in html and 'id="outcome-table"' in html
