"""What the web chat sends the widget, and what staff read: brand, answers with sources,
button titles instead of payloads, and ratings kept as tracker events."""

import copy

import pytest
import yaml

from clinic.directory import DirectoryError, load_directory, parse_directory
from clinic.ratings import RATING_SLOT, RatingError, rating_for, ratings_from_events
from clinic.sources import sources_for, without_citation
from clinic.transcript import transcript_from_events
from clinic.web_chat import web_history, web_message, widget_settings
from harness.servers import ROOT

RAW_DIRECTORY = yaml.safe_load((ROOT / "content" / "clinics.yml").read_text(encoding="utf-8"))
OFFER = [{"title": "Yes, please contact me", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"}]


def bot(text, at, response=None, buttons=None):
    return {
        "event": "bot",
        "text": text,
        "timestamp": at,
        "data": {"buttons": buttons},
        "metadata": {"utter_action": response} if response else {},
    }


def user(text, at):
    return {"event": "user", "text": text, "timestamp": at}


def rating(value, at, **fields):
    return {"event": "slot", "name": RATING_SLOT, "timestamp": at, "value": {"value": value, **fields}}


FAQ = "Fibromyalgia is a long-term condition.\n\nIt is real.\n\nSources: NIAMS; Clauw, JAMA 2014."
CONVERSATION = [
    user("can someone call me", 1.0),
    bot("Would you like someone from our clinic team to contact you?", 2.0, buttons=OFFER),
    user("/affirm", 3.0),
    bot("What is your first name?", 4.0),
    user("/affirm", 5.0),  # typed, with no offer since: the title of the last offer still applies
    user("what is fibromyalgia", 6.0),
    bot(FAQ, 7.5, response="utter_fibro_definition"),
]


def test_the_staff_transcript_shows_the_title_of_a_pressed_button():
    turns = transcript_from_events(CONVERSATION)
    assert [t["text"] for t in turns if t["role"] == "user"][:2] == ["can someone call me", "Yes, please contact me"]
    assert transcript_from_events([user("/affirm", 1.0)])[0]["text"] == "/affirm"  # nothing was offered


def test_the_brand_comes_from_the_clinic_configuration_and_is_checked():
    directory = load_directory(ROOT / "content" / "clinics.yml")
    assert directory.brand.name == directory.group_name == "OC Fibromyalgia & Ketamine Clinics"
    assert directory.group_phone == directory.brand.phone and directory.group_email == directory.brand.email
    assert 3 <= len(directory.brand.suggestions) <= 4
    for field, value, problem in [
        ("assistant_name", "", r"missing field\(s\) assistant_name"),
        ("suggestions", ["a", "b", "c", "d", "e"], "at most 4"),
        ("suggestions", ["a", ""], "list of questions"),
    ]:
        raw = copy.deepcopy(RAW_DIRECTORY)
        raw["brand"][field] = value
        with pytest.raises(DirectoryError, match=problem):
            parse_directory(raw)


def test_the_widget_settings_carry_the_brand_and_the_disclaimer():
    brand = load_directory(ROOT / "content" / "clinics.yml").brand
    settings = widget_settings(brand, "Not medical advice.")
    assert settings["assistantName"] == brand.assistant_name and settings["sms"] == brand.sms
    assert settings["suggestions"] == list(brand.suggestions) and settings["disclaimer"] == "Not medical advice."
    assert widget_settings(None, "x") == {"disclaimer": "x"}


def test_an_faq_answer_loses_its_citation_line_and_carries_its_references():
    message = web_message(FAQ, response="utter_fibro_definition", at=7.5)
    assert message["text"] == "Fibromyalgia is a long-term condition.\n\nIt is real."
    assert message["sources"][0]["url"] == "https://www.niams.nih.gov/health-topics/fibromyalgia"
    assert all(s["url"] is None or s["url"].startswith("https://") for s in message["sources"])
    # Other messages keep their text, even one that mentions sources.
    plain = web_message("Hello!\n\nSources: none", response="utter_greet")
    assert plain["text"] == "Hello!\n\nSources: none" and plain["sources"] == []
    assert without_citation("a\n\nSources: x\n\nb") == "a\n\nSources: x\n\nb"  # only a closing citation
    assert sources_for(None) == [] and sources_for("utter_nothing") == []


def test_the_history_shows_titles_buttons_and_ratings():
    events = [*CONVERSATION, rating("up", 9.0, response="utter_fibro_definition", answer_at=7.5)]
    history = web_history(events)
    assert [t["text"] for t in history if t["role"] == "user"][:2] == ["can someone call me", "Yes, please contact me"]
    offer = history[1]
    assert offer["quick_replies"] == OFFER and offer["at"] == 2.0
    assert history[-1]["response"] == "utter_fibro_definition" and history[-1]["rated"] == "up"
    assert "rated" not in offer


def test_a_rating_names_a_real_faq_answer_and_the_message_it_answered():
    value = rating_for(CONVERSATION, "utter_fibro_definition", 7.5, "down", "not_clear")
    assert value == {
        "response": "utter_fibro_definition",
        "answer_at": 7.5,
        "message": "what is fibromyalgia",
        "value": "down",
        "reason": "not_clear",
    }
    for response, at, thumb, reason, problem in [
        ("utter_fibro_definition", 7.5, "meh", None, "one of up, down"),
        ("utter_fibro_definition", 7.5, "up", "not_clear", "with a thumbs down"),
        ("utter_fibro_definition", 7.5, "down", "rude", "with a thumbs down"),
        ("utter_fibro_definition", 8.0, "up", None, "no such answer"),
        ("utter_fibro_symptoms", 7.5, "up", None, "no such answer"),
        ("utter_greet", 2.0, "up", None, "only FAQ answers"),
        (["utter_fibro_definition"], 7.5, "up", None, "only FAQ answers"),
    ]:
        with pytest.raises(RatingError, match=problem):
            rating_for(CONVERSATION, response, at, thumb, reason)


def test_the_latest_rating_of_each_answer_counts():
    events = [
        rating("down", 9.0, response="utter_a", answer_at=1.0),
        rating("up", 9.5, response="utter_b", answer_at=2.0),
        rating("down", 10.0, response="utter_a", answer_at=1.0, reason="wrong_topic"),
        {"event": "slot", "name": "other", "value": {"value": "up"}},
        {"event": "slot", "name": RATING_SLOT, "value": "not a rating"},
    ]
    ratings = ratings_from_events(events, "web-1")
    assert [(r["response"], r["value"], r["reason"] if "reason" in r else None) for r in ratings] == [
        ("utter_b", "up", None),
        ("utter_a", "down", "wrong_topic"),
    ]
    assert {r["conversation_id"] for r in ratings} == {"web-1"} and ratings[1]["rated_at"] == 10.0


def test_an_answer_takes_a_thumb_and_one_reason_and_no_more():
    first = rating_for(CONVERSATION, "utter_fibro_definition", 7.5, "down")
    events = [*CONVERSATION, {"event": "slot", "name": RATING_SLOT, "timestamp": 8.0, "value": first}]
    second = rating_for(events, "utter_fibro_definition", 7.5, "down", "wrong_topic")
    events.append({"event": "slot", "name": RATING_SLOT, "timestamp": 8.5, "value": second})
    with pytest.raises(RatingError, match="rated already"):
        rating_for(events, "utter_fibro_definition", 7.5, "up")


SPANISH_ONLY = {
    "https://medlineplus.gov/spanish/fibromyalgia.html",
    "https://www.niams.nih.gov/es/informacion-de-salud/fibromialgia",
}
ES_CONDITION = [{"type": "slot", "name": "language", "value": "es"}]


def urls(sources):
    return [s["url"] for s in sources]


def test_an_english_reader_sees_only_the_english_references():
    for language in ("en", None, "fr"):
        shown = urls(sources_for("utter_fibro_definition", language))
        assert shown[0] == "https://www.niams.nih.gov/health-topics/fibromyalgia", language
        assert len(shown) == 3 and not SPANISH_ONLY & set(shown), language
    assert all("spanish" not in (url or "") for url in urls(sources_for("utter_ketamine_overview")))


def test_a_spanish_reader_sees_the_spanish_references_first_then_the_untranslated_english_ones():
    shown = urls(sources_for("utter_fibro_definition", "es"))
    # The Spanish NIAMS page replaces the English one; the journal articles have no Spanish version.
    assert shown == [
        "https://medlineplus.gov/spanish/fibromyalgia.html",
        "https://www.niams.nih.gov/es/informacion-de-salud/fibromialgia",
        "https://doi.org/10.1001/jama.2014.3266",
        "https://doi.org/10.1016/j.semarthrit.2016.08.012",
    ]
    ketamine = urls(sources_for("utter_ketamine_overview", "es"))
    assert ketamine[0] == "https://medlineplus.gov/spanish/anesthesia.html" and len(ketamine) == 4
    # A topic without a Spanish-language source keeps its English references.
    assert sources_for("utter_ketamine_mechanism", "es") == sources_for("utter_ketamine_mechanism", "en") != []


SPANISH_FAQ = (
    "La fibromialgia es una enfermedad de larga duracion.\n\nFuentes: NIAMS; MedlinePlus en español (Fibromialgia)."
)


def test_a_spanish_answer_carries_the_spanish_references_and_loses_its_citation_line():
    message = web_message(SPANISH_FAQ, response="utter_fibro_definition", language="es")
    assert message["text"] == "La fibromialgia es una enfermedad de larga duracion."
    assert message["sources"][0]["url"] == "https://medlineplus.gov/spanish/fibromyalgia.html"
    english = web_message(FAQ, response="utter_fibro_definition")
    assert not SPANISH_ONLY & set(urls(english["sources"])) and len(english["sources"]) == 3


def test_the_history_gives_each_answer_the_references_of_its_language():
    spanish_answer = {
        **bot(SPANISH_FAQ, 12.0),
        "metadata": {"utter_action": "utter_fibro_definition", "condition": ES_CONDITION},
    }
    events = [
        *CONVERSATION,
        {"event": "slot", "name": "language", "value": "es", "timestamp": 10.0},
        user("que es la fibromialgia", 11.0),
        spanish_answer,
        bot(SPANISH_FAQ, 13.0, response="utter_fibro_symptoms"),  # no condition kept: the slot decides
    ]
    history = web_history(events)
    english, spanish, by_slot = (m for m in history if (m.get("response") or "").startswith("utter_fibro"))
    assert not SPANISH_ONLY & set(urls(english["sources"]))
    assert urls(spanish["sources"])[0] == "https://medlineplus.gov/spanish/fibromyalgia.html"
    assert urls(by_slot["sources"])[0] == "https://medlineplus.gov/spanish/fibromyalgia.html"


def test_the_live_web_channel_sends_the_references_of_the_variation_it_was_given():
    import asyncio

    from channels.socketio import WebChatOutput

    class Room:
        def __init__(self):
            self.sent = []

        async def emit(self, event, data, room=None):
            self.sent.append(data)

    room = Room()
    output = WebChatOutput(room, "bot_uttered")
    # What Rasa passes on: the keys of the variation the NLG chose for the language slot.
    asyncio.run(
        output.send_text_message("c1", SPANISH_FAQ, utter_action="utter_fibro_definition", condition=ES_CONDITION)
    )
    asyncio.run(output.send_text_message("c1", FAQ, utter_action="utter_fibro_definition", timestamp=7.5))
    spanish, english = room.sent
    assert urls(spanish["sources"])[0] == "https://medlineplus.gov/spanish/fibromyalgia.html"
    assert "Fuentes" not in spanish["text"]
    assert urls(english["sources"])[0] == "https://www.niams.nih.gov/health-topics/fibromyalgia"
    assert not SPANISH_ONLY & set(urls(english["sources"]))
