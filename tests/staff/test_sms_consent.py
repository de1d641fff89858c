"""The console and SMS consent: opt-outs texted over the signed webhook, seen and enforced by the console.

A real SMS-enabled assistant (signed webhook, Twilio fake) writes the consent ledger; the
console reads the same SMS state, refuses replies to numbers that opted out (by number, whatever
the conversation), holds non-urgent replies for the recipient's quiet hours, and exports the
opt-out report.
"""

import csv
import hashlib
import hmac
import io
import itertools
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.urls import reverse
from twilio.request_validator import RequestValidator

from harness.servers import running_assistant
from staff.escalations.models import AuditEntry, StaffReply
from tests.fake_twilio import AUTH_TOKEN, HASH_KEY, PUBLIC_URL, sms_env

PACIFIC = ZoneInfo("America/Los_Angeles")
_numbers = itertools.count(300)


@pytest.fixture(scope="module")
def sms_assistant(tmp_path_factory, twilio):
    with running_assistant(tmp_path_factory.mktemp("sms-console"), sms_env(twilio)) as servers:
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


def new_number() -> str:
    return f"+1949555{next(_numbers):04d}"


def sender_of(number: str) -> str:
    return "sms-" + hmac.new(HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]


def text(servers, number: str, body: str) -> None:
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "To": "+19495550100", "Body": body}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, params)
    response = requests.post(
        f"{servers['rasa']}/webhooks/sms/webhook", data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    assert response.status_code == 200


def settled(twilio, number: str, quiet_for: float = 1.0) -> int:
    """How many texts ``number`` got, once none has arrived for ``quiet_for`` seconds (a reply may be several)."""
    while True:
        count = len(twilio.to(number))
        time.sleep(quiet_for)
        if len(twilio.to(number)) == count:
            return count


def opted_out_by_text(servers, twilio, number: str, body: str = "STOP please") -> None:
    text(servers, number, "hello")
    twilio.wait_for(number, 1)
    before = settled(twilio, number)
    text(servers, number, body)
    assert "unsubscribed" in twilio.wait_for(number, before + 1)[-1] or "baja" in twilio.to(number)[-1]


def reply(client, escalation, **form):
    return client.post(reverse("act", args=[escalation.pk, "reply"]), form, follow=True).content.decode()


def test_a_number_that_texted_stop_is_shown_opted_out_with_its_history_and_cannot_be_texted(
    console, twilio, staff_client, make_escalation
):
    number = new_number()
    opted_out_by_text(console, twilio, number)
    sent_before = list(twilio.to(number))
    escalation = make_escalation(channel="sms", reason="crisis", conversation_id=sender_of(number), contact_phone="")
    queue = staff_client.get(reverse("queue")).content.decode()
    assert queue.count("Opted out of texts: call, do not text") == 1
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert "Opted out of texts: call, do not text" in html
    assert "Opted in by texting the clinic first" in html and "Opted out (“stop”, en) by SMS" in html
    assert 'id="reply-refused"' in html and 'id="reply-text"' not in html  # no form to type into
    page = reply(staff_client, escalation, text="Are you safe?")
    assert "opted out of SMS" in page
    assert StaffReply.objects.get(escalation=escalation).delivery == "opted_out"
    assert twilio.to(number) == sent_before


def test_opt_out_is_checked_by_the_destination_number_not_the_conversation(
    console, twilio, staff_client, make_escalation
):
    number = new_number()
    opted_out_by_text(console, twilio, number, "ALTO")
    sent_before = list(twilio.to(number))
    # Another conversation (texted from elsewhere) left this number, typed another way, in the form.
    typed = f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    escalation = make_escalation(channel="sms", conversation_id=f"sms-{uuid.uuid4().hex}", contact_phone=typed)
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert 'id="reply-refused"' in html
    assert "opted out of SMS" in reply(staff_client, escalation, text="Hello from the clinic")
    assert twilio.to(number) == sent_before


def test_a_number_that_opted_back_in_can_be_texted(console, twilio, staff_client, make_escalation):
    number = new_number()
    opted_out_by_text(console, twilio, number)
    before = len(twilio.to(number))
    text(console, number, "START")
    twilio.wait_for(number, before + 1)
    escalation = make_escalation(channel="sms", reason="crisis", conversation_id=sender_of(number), contact_phone="")
    html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert "Opted in again (“start”, en)" in html and 'id="reply-text"' in html
    reply(staff_client, escalation, text="This is the clinic calling back by text.")
    assert twilio.wait_for(number, before + 2)[-1] == "nurse.kim: This is the clinic calling back by text."


def late_evening() -> datetime:
    tomorrow = datetime.now(PACIFIC).date() + timedelta(days=1)
    return datetime.combine(tomorrow, datetime.min.time(), tzinfo=PACIFIC).replace(hour=22, minute=30)


def test_outside_quiet_hours_a_reply_waits_for_8_am_or_goes_now_with_an_audited_reason(
    console, twilio, staff_client, staff_user, make_escalation
):
    number = new_number()
    text(console, number, "hello")
    twilio.wait_for(number, 1)
    before = settled(twilio, number)
    escalation = make_escalation(channel="sms", conversation_id=sender_of(number), contact_phone="")
    evening = late_evening()
    with time_machine.travel(evening, tick=True):
        staff_client.force_login(staff_user)  # a session idle since "yesterday" would have ended
        html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
        assert 'id="quiet-hours"' in html and "America/Los_Angeles" in html and "Send at 8 am their time" in html
        assert "outside 8 am-9 pm for the recipient" in reply(staff_client, escalation, text="Not chosen")
        assert not StaffReply.objects.filter(escalation=escalation).exists()
        assert "needs a reason" in reply(staff_client, escalation, text="No reason", when="now")
        page = reply(staff_client, escalation, text="We will call you at 9.", when="schedule")
        assert "texted at 8 am their time" in page
        cancelled = reply(staff_client, escalation, text="Second thoughts", when="schedule")
        assert "Second thoughts" in cancelled
        second = StaffReply.objects.get(escalation=escalation, text="Second thoughts")
        staff_client.post(reverse("act", args=[escalation.pk, "cancel-reply"]), {"reply": second.pk})
        assert StaffReply.objects.get(pk=second.pk).delivery == "cancelled"
        call_command("send_scheduled_replies", "--once")  # not due yet
    assert len(twilio.to(number)) == before
    held = StaffReply.objects.get(escalation=escalation, text="We will call you at 9.")
    assert held.delivery == "scheduled"
    assert held.send_at.astimezone(PACIFIC) == evening.replace(hour=8, minute=0) + timedelta(days=1)
    with time_machine.travel(held.send_at + timedelta(minutes=1), tick=True):
        # A fresh run of the sender (as after a restart) finds the schedule in the database.
        call_command("send_scheduled_replies", "--once")
    # Staff texts carry the author's name (tests/staff/test_handoff_sms.py).
    assert twilio.wait_for(number, before + 1)[before:] == ["nurse.kim: We will call you at 9."]
    held.refresh_from_db()
    assert held.delivery == "sent" and held.in_tracker and held.sent_at
    with time_machine.travel(evening + timedelta(minutes=5), tick=True):
        staff_client.force_login(staff_user)
        reply(staff_client, escalation, text="Sorry for the late text.", when="now", reason="Patient asked tonight")
    # Sent now, the reply puts the conversation in staff mode: the joined notice, then the reply.
    assert twilio.wait_for(number, before + 3)[-1] == "nurse.kim: Sorry for the late text."
    details = list(AuditEntry.objects.filter(escalation=escalation).values_list("action", "detail"))
    assert any(a == "reply_cancelled" for a, _ in details)
    assert any("in quiet hours because: Patient asked tonight" in d for _, d in details)
    assert any("scheduled for" in d for _, d in details)


def test_a_crisis_reply_is_not_held_for_quiet_hours(console, twilio, staff_client, staff_user, make_escalation):
    number = new_number()
    text(console, number, "hello")
    twilio.wait_for(number, 1)
    before = settled(twilio, number)
    escalation = make_escalation(channel="sms", reason="crisis", conversation_id=sender_of(number), contact_phone="")
    with time_machine.travel(late_evening(), tick=True):
        staff_client.force_login(staff_user)
        html = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
        assert 'id="quiet-hours"' not in html
        reply(staff_client, escalation, text="This is the clinic. Are you safe?")
    assert twilio.wait_for(number, before + 2)[-1] == "nurse.kim: This is the clinic. Are you safe?"


def test_an_admin_exports_the_opt_out_report_and_staff_cannot(console, twilio, staff_client, admin_client, monkeypatch):
    english, spanish = new_number(), new_number()
    opted_out_by_text(console, twilio, english, "please stop texting me")
    opted_out_by_text(console, twilio, spanish, "dejen de mandarme mensajes")
    assert staff_client.get(reverse("opt_out_report")).status_code == 403
    response = admin_client.get(reverse("opt_out_report"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {row["number"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert (rows[english]["keyword"], rows[english]["language"]) == ("stop texting", "en")
    assert (rows[spanish]["keyword"], rows[spanish]["language"]) == ("dejen de mandarme", "es")
    assert rows[english]["still_opted_out"] == "yes" and rows[english]["channel"] == "sms"


def test_a_scheduled_reply_is_not_sent_when_the_number_opts_out_before_8_am(
    console, twilio, staff_client, staff_user, make_escalation
):
    number = new_number()
    text(console, number, "hello")
    twilio.wait_for(number, 1)
    escalation = make_escalation(channel="sms", conversation_id=sender_of(number), contact_phone="")
    with time_machine.travel(late_evening(), tick=True):
        staff_client.force_login(staff_user)
        reply(staff_client, escalation, text="We will call you tomorrow.", when="schedule")
    held = StaffReply.objects.get(escalation=escalation)
    before = settled(twilio, number)
    text(console, number, "stop")
    assert "unsubscribed" in twilio.wait_for(number, before + 1)[-1]
    with time_machine.travel(held.send_at + timedelta(minutes=1), tick=True):
        call_command("send_scheduled_replies", "--once")
    held.refresh_from_db()
    assert held.delivery == "opted_out" and len(twilio.to(number)) == before + 1
