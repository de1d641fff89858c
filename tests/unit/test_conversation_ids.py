"""Which conversation ids a caller may choose, and which channel an id belongs to."""

import pytest

from clinic.conversation_ids import chosen_id_problem, conversation_channel
from clinic.sms_sender import conversation_id
from clinic.web_sessions import issue_session, verify_session


@pytest.mark.parametrize("sender", ["visitor-1", "a", "crm:4711", "user_9.x", "A" * 128])
def test_plain_ids_may_be_chosen(sender):
    assert chosen_id_problem(sender) is None


@pytest.mark.parametrize(
    "sender", ["", " x", "x y", "a/b", "someone/tracker?x=", "..", "-x", "é", "x\n", "A" * 129, 12, None]
)
def test_unsafe_ids_are_refused(sender):
    assert "letters, digits" in chosen_id_problem(sender)


@pytest.mark.parametrize("sender", ["web-abc", "WEB-abc", "sms-abc", "Sms-1"])
def test_the_web_chat_and_sms_prefixes_are_reserved(sender):
    assert "may not start with web- or sms-" in chosen_id_problem(sender)


def test_the_channels_issue_their_own_prefixes(monkeypatch):
    monkeypatch.setenv("SMS_HASH_KEY", "k")
    monkeypatch.setenv("WIDGET_SESSION_KEY", "k")
    assert conversation_channel(conversation_id("+19495550123"), "sms") == "sms"
    assert conversation_channel(verify_session(issue_session()), "socketio") == "socketio"


def test_an_id_that_disagrees_with_its_channel_is_unknown():
    assert conversation_channel("visitor-1", "sms") == "unknown"
    assert conversation_channel("sms-1", "rest") == "unknown"
    assert conversation_channel("visitor-1", None) == "unknown"
    assert conversation_channel("visitor-1", "rest") == "rest"
