"""The console's live endpoints (staff/escalations/live.py) on the real schema, without Rasa."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from staff.escalations.models import Escalation

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
