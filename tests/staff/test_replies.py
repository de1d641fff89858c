"""Staff replies against the real Rasa server: SMS through the Twilio sender, web chat to open tabs.

Also the whole transcript: the snapshot plus what was said since, read from Rasa's HTTP API.
"""

import logging
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine
from django.urls import reverse

from clinic.sms_sender import conversation_id
from clinic.sms_state import SmsState
from clinic.transcript import transcript_from_events
from staff.escalations.models import StaffReply
from tests.fake_twilio import FakeTwilio
from tests.test_webchat_channel import Visitor

NUMBER = "+19495550177"
PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def twilio():
    # One per test: the same numbers are texted once per assistant mode (embedded, production).
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def console_env(monkeypatch, assistant, twilio):
    monkeypatch.setenv("RASA_URL", assistant["rasa"])
    monkeypatch.setenv("RASA_API_TOKEN", assistant["token"])
    for name, value in {
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "test-auth-token",
        "TWILIO_FROM_NUMBER": "+19495550100",
        "SMS_PUBLIC_URL": "https://clinic.example.org/webhooks/sms/webhook",
        "TWILIO_API_BASE": twilio.url,
        "SMS_SEND_FIRST_DELAY": "0.05",
    }.items():
        monkeypatch.setenv(name, value)
    return assistant


@pytest.fixture
def daytime():
    """Noon in California: staff texts outside 8 am-9 pm wait for the morning (tests/staff/test_sms_consent.py)."""
    noon = datetime.combine(datetime.now(PACIFIC).date(), datetime.min.time(), tzinfo=PACIFIC).replace(hour=12)
    with time_machine.travel(noon, tick=True):
        yield


def tracker_events(servers, conversation_id):
    response = requests.get(
        f"{servers['rasa']}/conversations/{conversation_id}/tracker", params={"token": servers["token"]}, timeout=30
    )
    return response.json()["events"]


def test_transcript_is_the_snapshot_plus_everything_said_since(console_env, rest, staff_client, make_escalation):
    sender = f"rest-{uuid.uuid4().hex}"
    rest.say(sender, "hello")
    snapshot = transcript_from_events(tracker_events(console_env, sender))
    rest.say(sender, "where are your clinics?")
    escalation = make_escalation(channel="rest", conversation_id=sender, transcript=snapshot)
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert "cannot be reached" not in html
    assert html.count("where are your clinics?") == 1
    assert "Laguna Hills" in html  # the answer given after the snapshot
    assert html.index(">hello<") < html.index("where are your clinics?")


def wait_until_stored(servers, conversation_id, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not any(event["event"] == "user" for event in tracker_events(servers, conversation_id)):
        assert time.monotonic() < deadline, "the conversation was never stored"
        time.sleep(0.2)


def known_conversation(rest, prefix: str) -> str:
    """A conversation Rasa has a tracker for, as every escalated one has.

    Written through the HTTP API: ``sms-`` and ``web-`` ids belong to their channels, and REST
    refuses them. It begins with a session start, as a channel's conversation does; without one
    Rasa would run the session start itself with no channel to send the disclaimer to.
    """
    conversation = f"{prefix}-{uuid.uuid4().hex}"
    parsed = {"text": "hello", "intent": {"name": "greet", "confidence": 1.0}, "entities": []}
    event = {"event": "user", "text": "hello", "parse_data": parsed, "timestamp": time.time(), "input_channel": "rest"}
    response = requests.post(
        f"{rest.base}/conversations/{conversation}/tracker/events",
        params={"token": rest.token},
        json=[
            {"event": "action", "name": "action_session_start"},
            {"event": "session_started"},
            {"event": "action", "name": "action_listen"},
            event,
        ],
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return conversation


def test_sms_reply_goes_through_the_sms_sender_and_into_the_tracker(
    daytime, console_env, rest, twilio, staff_client, staff_user, make_escalation, caplog
):
    conversation = known_conversation(rest, "sms")
    escalation = make_escalation(channel="sms", conversation_id=conversation, contact_phone=NUMBER)
    text = "Hi Maria, this is Dana from the clinic. We will call you at 10am tomorrow."
    with caplog.at_level(logging.INFO):
        page = staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": text}, follow=True)
    assert "Sent by SMS" in page.content.decode()
    # Replying puts the conversation in staff mode: the visitor is told who joined, then gets the
    # reply prefixed with the name (tests/staff/test_handoff.py).
    notice, reply_text = twilio.wait_for(NUMBER, 2)
    assert "nurse.kim, care team member from " in notice and reply_text == f"nurse.kim: {text}"
    staff_turns = [e for e in tracker_events(console_env, conversation) if e["event"] == "bot"]
    assert staff_turns[-1]["text"] == text and staff_turns[-1]["metadata"]["staff_reply"] is True
    reply = StaffReply.objects.get(escalation=escalation)
    assert (reply.delivery, reply.in_tracker, reply.author) == ("sent", True, staff_user)
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert 'class="turn staff"' in html and "Dana from the clinic" in html
    assert NUMBER not in caplog.text and "Dana" not in caplog.text


def test_long_sms_replies_are_split_like_the_channel_splits_them(
    daytime, console_env, twilio, staff_client, make_escalation
):
    number = "+19495550178"
    escalation = make_escalation(channel="sms", conversation_id=f"sms-{uuid.uuid4().hex}", contact_phone=number)
    text = " ".join(f"Sentence number {i} of a long reply from the clinic." for i in range(8))
    staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": text})
    sent = twilio.wait_for(number, 3)
    assert len(sent) == 3 and all(len(segment) <= 153 for segment in sent)


def test_no_sms_to_a_number_that_opted_out(console_env, twilio, staff_client, make_escalation):
    number = "+19495550179"
    conversation = f"sms-{uuid.uuid4().hex}"
    SmsState().opt_out(conversation_id(number), number, "stop")
    escalation = make_escalation(channel="sms", conversation_id=conversation, contact_phone=number)
    page = staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Hello"}, follow=True)
    assert "opted out" in page.content.decode()
    assert twilio.to(number) == []
    assert StaffReply.objects.get(escalation=escalation).delivery == "opted_out"


def test_a_reply_to_a_conversation_rasa_does_not_know_is_kept_in_the_console(
    console_env, staff_client, make_escalation
):
    conversation = f"web-{uuid.uuid4().hex}"
    escalation = make_escalation(channel="socketio", conversation_id=conversation)
    staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Anyone there?"})
    reply = StaffReply.objects.get(escalation=escalation)
    assert reply.delivery == "not_connected" and not reply.in_tracker
    assert not any(
        (event.get("metadata") or {}).get("staff_reply") for event in tracker_events(console_env, conversation)
    )
    assert "Anyone there?" in staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()


def test_sms_without_a_number_says_so_and_keeps_the_reply(console_env, staff_client, make_escalation):
    escalation = make_escalation(
        channel="sms", reason="crisis", conversation_id=f"sms-{uuid.uuid4().hex}", contact_phone="", consent=False
    )
    page = staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Are you safe?"}, follow=True)
    html = page.content.decode()
    assert "no phone number" in html and "Are you safe?" in html  # shown in the transcript as kept here


def test_sms_reply_to_a_crisis_texter_uses_the_number_they_texted_from(
    console_env, twilio, staff_client, make_escalation
):
    number = "+19495550176"
    conversation = f"sms-{uuid.uuid4().hex}"
    SmsState().remember_reply_address(conversation, number)
    escalation = make_escalation(
        channel="sms", reason="crisis", conversation_id=conversation, contact_phone="", consent=False
    )
    assert f'href="tel:{number}"' in staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "This is the clinic. Are you safe?"})
    assert twilio.wait_for(number, 1) == ["nurse.kim: This is the clinic. Are you safe?"]
    assert StaffReply.objects.get(escalation=escalation).delivery == "sent"


def test_web_reply_reaches_the_open_chat(console_env, staff_client, make_escalation):
    visitor = Visitor(console_env["rasa"])
    try:
        conversation = visitor.token.split(".")[0]
        visitor.say("hello")
        wait_until_stored(console_env, conversation)
        escalation = make_escalation(channel="socketio", conversation_id=conversation)
        page = staff_client.post(
            reverse("act", args=[escalation.pk, "reply"]), {"text": "A nurse will call you shortly."}, follow=True
        )
        assert "Delivered to the visitor" in page.content.decode()
        message = visitor.wait("bot_uttered")
        while not message.get("staff"):  # the assistant's answers to "hello" come first
            message = visitor.wait("bot_uttered")
        assert message["text"] == "A nurse will call you shortly."
    finally:
        visitor.close()
    assert tracker_events(console_env, conversation)[-1]["metadata"]["staff_reply"] is True


def test_web_reply_to_a_visitor_who_left_is_kept_and_staff_are_told(console_env, rest, staff_client, make_escalation):
    conversation = known_conversation(rest, "web")
    escalation = make_escalation(channel="socketio", conversation_id=conversation)
    page = staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Call us back"}, follow=True)
    assert "not connected" in page.content.decode()
    reply = StaffReply.objects.get(escalation=escalation)
    assert reply.delivery == "not_connected" and reply.in_tracker
    assert tracker_events(console_env, conversation)[-1]["text"] == "Call us back"


def test_the_staff_route_needs_the_api_token(assistant):
    url = f"{assistant['rasa']}/webhooks/socketio/staff_message"
    body = {"conversation_id": "web-x", "text": "hi"}
    assert requests.post(url, json=body, timeout=10).status_code == 401
    assert requests.post(url, json=body, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.post(url, json={}, params={"token": assistant["token"]}, timeout=10).status_code == 400
    answer = requests.post(url, json=body, params={"token": assistant["token"]}, timeout=10)
    assert answer.json() == {"status": "queued", "delivered": False}


def test_sms_reply_without_twilio_settings_fails_visibly_and_is_kept(
    daytime, staff_client, make_escalation, monkeypatch
):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    escalation = make_escalation(channel="sms", conversation_id=f"sms-{uuid.uuid4().hex}", contact_phone=NUMBER)
    page = staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Hello"}, follow=True)
    assert "could not be sent" in page.content.decode()
    reply = StaffReply.objects.get(escalation=escalation)
    assert (reply.delivery, reply.in_tracker) == ("failed", False)


def test_web_reply_while_rasa_is_down_is_kept_and_reported(staff_client, make_escalation, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    escalation = make_escalation(channel="socketio")
    page = staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Hello"}, follow=True)
    assert page.status_code == 200 and "could not be sent" in page.content.decode()
    assert StaffReply.objects.get(escalation=escalation).delivery == "failed"


def test_resolving_a_crisis_escalation_ends_the_conversations_safety_state(
    console_env, rest, staff_client, make_escalation
):
    conversation = f"rest-{uuid.uuid4().hex}"
    rest.say(conversation, "i want to kill myself")
    assert "988" in " ".join(m.get("text", "") for m in rest.say(conversation, "ok"))
    escalation = make_escalation(channel="rest", conversation_id=conversation, reason="crisis")
    staff_client.post(reverse("act", args=[escalation.pk, "resolve"]), {"outcome": "referred_emergency"})
    slots = [e for e in tracker_events(console_env, conversation) if e["event"] == "slot"]
    assert slots[-1]["name"] == "safety_state" and slots[-1]["value"] is False
    assert "988" not in " ".join(m.get("text", "") for m in rest.say(conversation, "ok"))
