"""Staff mode over SMS: signed Twilio webhooks into the real assistant, texts out through the
loopback Twilio fake, the console's views in between."""

import hashlib
import hmac
import itertools
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.urls import reverse
from twilio.request_validator import RequestValidator

from harness.servers import running_assistant
from staff.escalations.models import StaffProfile, StaffReply
from tests.fake_twilio import AUTH_TOKEN, HASH_KEY, PUBLIC_URL, sms_env

_numbers = itertools.count(700)


@pytest.fixture(scope="module")
def sms_assistant(tmp_path_factory, twilio):
    with running_assistant(tmp_path_factory.mktemp("sms-handoff"), sms_env(twilio)) as servers:
        yield servers


@pytest.fixture
def console(monkeypatch, sms_assistant, twilio):
    """The console pointed at the assistant's SMS state and Twilio, as on one host."""
    for name, value in sms_env(twilio).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SMS_STATE_DB", str(Path(sms_assistant["env"]["CLINIC_VAR_DIR"]) / "sms.db"))
    monkeypatch.setenv("RASA_URL", sms_assistant["rasa"])
    monkeypatch.setenv("RASA_API_TOKEN", sms_assistant["token"])
    return sms_assistant


@pytest.fixture
def nurse(staff_user):
    StaffProfile.objects.create(user=staff_user, display_name="Kim", role="nurse")
    return staff_user


def sender_of(number: str) -> str:
    return "sms-" + hmac.new(HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]


def text(servers, number: str, body: str) -> None:
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "To": "+19495550100", "Body": body}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, params)
    response = requests.post(
        f"{servers['rasa']}/webhooks/sms/webhook", data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    assert response.status_code == 200


def handled(servers, number: str, body: str, timeout: float = 30.0) -> list[dict]:
    """The conversation's events once Rasa has stored the text ``body`` (the webhook answers before that)."""
    deadline = time.monotonic() + timeout
    while True:
        response = requests.get(
            f"{servers['rasa']}/conversations/{sender_of(number)}/tracker",
            params={"token": servers["token"]},
            timeout=30,
        )
        events = response.json()["events"]
        users = [e for e in events if e["event"] == "user"]
        if users and users[-1]["text"] == body:
            return events
        assert time.monotonic() < deadline, f"{body!r} was never stored"
        time.sleep(0.2)


def settled(twilio, number: str, quiet_for: float = 1.0) -> int:
    """How many texts ``number`` got, once none has arrived for ``quiet_for`` seconds."""
    while True:
        count = len(twilio.to(number))
        time.sleep(quiet_for)
        if len(twilio.to(number)) == count:
            return count


def test_a_nurse_takes_over_an_sms_conversation_and_hands_it_back(
    console, twilio, staff_client, nurse, make_escalation
):
    number = f"+1949555{next(_numbers):04d}"
    text(console, number, "hello")
    twilio.wait_for(number, 1)
    before = settled(twilio, number)
    # A crisis escalation: exempt from quiet hours, so the test holds at any time of day.
    escalation = make_escalation(channel="sms", reason="crisis", conversation_id=sender_of(number), contact_phone="")

    staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]))
    joined = twilio.wait_for(number, before + 1)[-1]
    assert joined.startswith("Kim, nurse from ") and joined.endswith("has joined; the assistant is paused.")

    text(console, number, "yes I'm safe now, can you call me tomorrow?")
    events = handled(console, number, "yes I'm safe now, can you call me tomorrow?")
    assert events[-1]["event"] == "user"  # recorded, and no answer: not the contact form again
    assert settled(twilio, number) == before + 1
    page = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert "can you call me tomorrow?" in page and "Staff mode:" in page

    staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Yes, I will call you at 10."})
    assert twilio.wait_for(number, before + 2)[-1] == "Kim: Yes, I will call you at 10."
    assert StaffReply.objects.get(escalation=escalation).delivery == "sent"

    text(console, number, "i want to kill myself")
    handled(console, number, "i want to kill myself")
    assert "988" in twilio.wait_for(number, before + 3)[-1]

    staff_client.post(reverse("staff_mode", args=[escalation.pk, "return"]))
    assert "handed the conversation back to the assistant" in twilio.wait_for(number, before + 4)[-1]
    after_return = settled(twilio, number)
    text(console, number, "what is fibromyalgia")
    assert "fibromyalgia" in " ".join(twilio.wait_for(number, after_return + 1)[after_return:]).lower()
