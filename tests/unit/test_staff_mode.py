"""Staff mode read back from the tracker's events (clinic/staff_mode.py): state, timeout, notices."""

import pytest

from clinic import staff_mode
from clinic.staff_mode import StaffMember
from clinic.web_chat import web_history

MARIA = StaffMember("Maria", "nurse")


def user(text, at, intent="greet"):
    return {"event": "user", "text": text, "timestamp": at, "parse_data": {"intent": {"name": intent}}}


def joined(at):
    return [{"event": "pause", "timestamp": at}, staff_mode.notice_event("joined", staff_mode.JOINED, MARIA, at)]


def test_a_conversation_is_paused_from_the_pause_until_a_resume_or_restart():
    assert not staff_mode.is_paused([user("hi", 1)])
    assert staff_mode.is_paused([user("hi", 1), *joined(2)])
    assert not staff_mode.is_paused([*joined(2), {"event": "resume", "timestamp": 3}])
    assert not staff_mode.is_paused([*joined(2), {"event": "restart", "timestamp": 3}])


def test_the_timeout_counts_from_the_latest_staff_message_not_from_visitor_messages():
    events = [user("hi", 0), *joined(100), user("are you there", 150)]
    assert not staff_mode.timed_out(events, now=100 + 1799, limit=1800)
    assert staff_mode.timed_out(events, now=100 + 1801, limit=1800)
    events.append(staff_mode.staff_message_event("still here", MARIA, 7, at=1500))
    assert not staff_mode.timed_out(events, now=1500 + 1799, limit=1800)
    assert not staff_mode.timed_out([*events, {"event": "resume", "timestamp": 1600}], now=10**9, limit=1800)


def test_the_timeout_setting_defaults_to_30_minutes_and_survives_a_bad_value(monkeypatch):
    monkeypatch.delenv("STAFF_MODE_TIMEOUT_MINUTES", raising=False)
    assert staff_mode.timeout_seconds() == 1800
    monkeypatch.setenv("STAFF_MODE_TIMEOUT_MINUTES", "2.5")
    assert staff_mode.timeout_seconds() == 150
    monkeypatch.setenv("STAFF_MODE_TIMEOUT_MINUTES", "soon")
    assert staff_mode.timeout_seconds() == 1800


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Maria, nurse from Laguna Clinic, has joined; the assistant is paused."),
        ("es", "Maria, nurse de Laguna Clinic, se unió a la conversación; el asistente está en pausa."),
    ],
)
def test_the_visitor_is_told_who_joined_in_their_language(language, expected):
    assert staff_mode.notice_text(staff_mode.JOINED, language, "socketio", MARIA, "Laguna Clinic") == expected


def test_each_way_of_ending_says_which_it_was_in_both_languages():
    texts = {
        kind: {lang: staff_mode.notice_text(kind, lang, None, MARIA, "X") for lang in ("en", "es")}
        for kind in (staff_mode.RETURNED, staff_mode.RESOLVED, staff_mode.TIMED_OUT)
    }
    assert "handed the conversation back" in texts[staff_mode.RETURNED]["en"]
    assert "closed this request" in texts[staff_mode.RESOLVED]["en"]
    assert "has not written for a while" in texts[staff_mode.TIMED_OUT]["en"]
    assert len({text for by_language in texts.values() for text in by_language.values()}) == 6


def test_the_language_comes_from_the_language_slot_when_the_domain_has_one():
    assert staff_mode.language_of({"language": "es"}) == "es"
    assert staff_mode.language_of({"language": "fr"}) == "en"
    assert staff_mode.language_of({}) == "en"


def test_an_sms_staff_message_is_prefixed_with_the_name():
    assert staff_mode.sms_text("Can I call you at 3?", MARIA, "en") == "Maria: Can I call you at 3?"


def test_a_crisis_message_is_flagged_only_while_staff_are_in_the_conversation():
    crisis = user("i want to end my life", 200, intent="crisis")
    assert staff_mode.crisis_during_staff_mode([*joined(100), crisis]) == 200
    assert staff_mode.crisis_during_staff_mode([crisis, *joined(300)]) is None
    assert staff_mode.crisis_during_staff_mode([*joined(100), crisis, {"event": "resume", "timestamp": 300}]) is None


def test_the_widget_history_carries_the_staff_name_role_and_notices():
    events = [user("hi", 1), *joined(2), staff_mode.staff_message_event("Hello, I'm here", MARIA, 7, at=3)]
    history = web_history(events)
    assert history[1]["notice"] == staff_mode.JOINED and "staff" not in history[1]
    assert history[2] | {"staff": True, "staff_name": "Maria", "staff_role": "nurse"} == history[2]
