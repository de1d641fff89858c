"""The console's live endpoints (staff/escalations/live.py) on the real schema, without Rasa."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from clinic.rasa_api import RasaApi
from staff.escalations.models import Delivery, Escalation, StaffReply

PACIFIC = ZoneInfo("America/Los_Angeles")


def test_the_queue_state_lists_new_urgent_escalations_and_answers_304_until_a_change(staff_client, make_escalation):
    urgent = make_escalation(reason="crisis", triggering_message="i want to die")
    make_escalation(reason="request_human")
    first = staff_client.get(reverse("live_queue"))
    state = json.loads(first.content)
    assert [item["id"] for item in state["urgent_new"]] == [str(urgent.pk)]
    assert state["urgent_new"][0]["url"] == f"/escalations/{urgent.pk}/"
    assert first["Cache-Control"] == "no-store"  # patient data: live.js keeps the ETag itself
    assert staff_client.get(reverse("live_queue"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_escalation(reason="appointment")
    assert staff_client.get(reverse("live_queue"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_crisis_message_merged_into_an_open_urgent_escalation_raises_its_count(staff_client, make_escalation):
    urgent = make_escalation(reason="crisis", triggering_message="i want to die", status="in_progress")
    before = json.loads(staff_client.get(reverse("live_queue")).content)["crisis_messages"][str(urgent.pk)]
    Escalation.objects.filter(pk=urgent.pk).update(triggering_message="i want to die\ni took all my pills")
    after = json.loads(staff_client.get(reverse("live_queue")).content)["crisis_messages"][str(urgent.pk)]
    assert (before["count"], after["count"]) == (1, 2)


def test_live_state_needs_a_signed_in_account(client, make_escalation):
    escalation = make_escalation()
    for url in (reverse("live_queue"), reverse("live_escalation", args=[escalation.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_joining_when_rasa_cannot_be_reached_changes_nothing_and_says_so(staff_client, make_escalation, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    escalation = make_escalation()
    page = staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]), follow=True).content.decode()
    assert "cannot be reached, so nothing was changed" in page
    escalation.refresh_from_db()
    assert (escalation.status, escalation.assigned_to) == ("new", None)
    assert staff_client.post(reverse("staff_mode", args=[escalation.pk, "dance"])).status_code == 404


def test_the_escalation_state_without_rasa_says_it_cannot_tell(staff_client, make_escalation, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    escalation = make_escalation()
    state = json.loads(staff_client.get(reverse("live_escalation", args=[escalation.pk])).content)
    assert state["reachable"] is False and state["status"] == "new"
    page = staff_client.get(reverse("detail", args=[str(escalation.pk)])).content.decode()
    assert "Cannot tell whether the visitor is connected" in page and "Join conversation" not in page


def test_joining_an_sms_conversation_in_the_recipients_quiet_hours_is_refused(
    staff_client, staff_user, make_escalation, monkeypatch
):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # refused before Rasa is asked
    escalation = make_escalation(channel="sms", conversation_id="sms-" + "a" * 32, contact_phone="+19495550142")
    eleven_pm = datetime.now(PACIFIC).replace(hour=23, minute=0, second=0, microsecond=0)
    with time_machine.travel(eleven_pm, tick=True):
        staff_client.force_login(staff_user)
        page = staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]), follow=True).content.decode()
    assert "outside 8 am-9 pm for the recipient, so joining would text them now" in page
    escalation.refresh_from_db()
    assert escalation.assigned_to is None


def test_a_reply_queued_for_an_absent_visitor_is_delivered_when_they_come_back(
    staff_client, staff_user, make_escalation, monkeypatch
):
    escalation = make_escalation(status="in_progress")
    queued = StaffReply.objects.create(
        escalation=escalation, author=staff_user, text="Hi, this is Kim", delivery=Delivery.NOT_CONNECTED
    )
    presence = {"connected": False, "panel_open": False}
    monkeypatch.setattr(RasaApi, "tracker", lambda self, conversation_id: {"events": []})
    monkeypatch.setattr(RasaApi, "web_presence", lambda self, conversation_id: presence)

    def delivery_after_a_poll():
        state = json.loads(staff_client.get(reverse("live_escalation", args=[escalation.pk])).content)
        queued.refresh_from_db()
        assert state["replies"] == [[queued.pk, queued.delivery]]
        return queued.delivery

    assert delivery_after_a_poll() == Delivery.NOT_CONNECTED
    presence.update(connected=True)  # back, with the chat panel closed: the launcher's badge
    assert delivery_after_a_poll() == Delivery.DELIVERED
    presence.update(panel_open=True)  # a delivered reply is not re-marked: only queued ones are
    assert delivery_after_a_poll() == Delivery.DELIVERED


def test_a_queued_reply_is_shown_when_the_visitor_comes_back_with_the_panel_open(
    staff_client, staff_user, make_escalation, monkeypatch
):
    escalation = make_escalation(status="in_progress")
    sms = make_escalation(status="in_progress", channel="sms", conversation_id="sms-abc")
    replies = [
        StaffReply.objects.create(escalation=e, author=staff_user, text="Hello", delivery=Delivery.NOT_CONNECTED)
        for e in (escalation, sms)
    ]
    monkeypatch.setattr(RasaApi, "tracker", lambda self, conversation_id: {"events": []})
    monkeypatch.setattr(RasaApi, "web_presence", lambda self, conversation_id: {"connected": True, "panel_open": True})
    for e in (escalation, sms):
        staff_client.get(reverse("live_escalation", args=[e.pk]))
    for reply in replies:
        reply.refresh_from_db()
    assert [reply.delivery for reply in replies] == [Delivery.SHOWN, Delivery.NOT_CONNECTED]
