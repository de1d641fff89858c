"""Staff mode end to end on the real assistant (embedded and production mode): a socket.io visitor
tab that acknowledges messages as the widget does, the console's views, and Rasa's tracker."""

import json
import time

import pytest
import requests
from django.urls import reverse

from harness.servers import list_escalations
from staff.escalations.models import StaffProfile, StaffReply
from tests.webchat_tab import Tab

CRISIS = "i want to kill myself"


@pytest.fixture
def console_env(monkeypatch, assistant):
    monkeypatch.setenv("RASA_URL", assistant["rasa"])
    monkeypatch.setenv("RASA_API_TOKEN", assistant["token"])
    return assistant


@pytest.fixture
def nurse(staff_user):
    StaffProfile.objects.create(user=staff_user, display_name="Kim", role="nurse")
    return staff_user


@pytest.fixture
def tabs(console_env):
    opened = []

    def open_tab(**kwargs):
        tab = Tab(console_env["rasa"], **kwargs)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()


def tracker(servers, conversation_id):
    response = requests.get(
        f"{servers['rasa']}/conversations/{conversation_id}/tracker", params={"token": servers["token"]}, timeout=30
    )
    return response.json()


def escalated(tab, make_escalation, **fields):
    tab.say("hello")
    tab.wait("bot_uttered")
    tab.settle()
    return make_escalation(channel="socketio", conversation_id=tab.conversation_id, **fields)


def test_joining_pauses_the_assistant_tells_the_visitor_once_and_assigns_the_nurse(
    console_env, tabs, staff_client, nurse, make_escalation
):
    tab = tabs()
    escalation = escalated(tab, make_escalation, clinic="laguna-hills")
    tab.received()
    staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]))
    notice = tab.wait("bot_uttered")
    assert notice["notice"] == "joined"
    assert notice["text"].startswith("Kim, nurse from ") and "has joined; the assistant is paused" in notice["text"]
    escalation.refresh_from_db()
    assert (escalation.status, escalation.assigned_to) == ("in_progress", nurse)
    assert tracker(console_env, tab.conversation_id)["paused"] is True

    staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]))  # again: no second notice
    tab.say("yes I'm safe now, can you call me tomorrow?")
    assert tab.received() == []
    events = tracker(console_env, tab.conversation_id)["events"]
    assert events[-1]["event"] == "user" and events[-1]["text"] == "yes I'm safe now, can you call me tomorrow?"
    assert [e for e in events if (e.get("metadata") or {}).get("staff_notice") == "joined"].__len__() == 1
    # The visitor's message is on the console's page at once.
    page = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert "can you call me tomorrow?" in page and "Staff mode:" in page and "Return to the assistant" in page


def test_a_reply_joins_carries_the_name_and_reports_what_the_tabs_acknowledged(
    console_env, tabs, staff_client, nurse, make_escalation
):
    open_panel = tabs(panel_open=True)
    escalation = escalated(open_panel, make_escalation)
    staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Hi, this is Kim."})
    notice, message = open_panel.wait("bot_uttered"), open_panel.wait("bot_uttered")
    assert notice["notice"] == "joined"
    assert (message["text"], message["staff"], message["staff_name"], message["staff_role"]) == (
        "Hi, this is Kim.",
        True,
        "Kim",
        "nurse",
    )
    assert StaffReply.objects.get(escalation=escalation).delivery == "shown"
    escalation.refresh_from_db()
    assert (escalation.status, escalation.assigned_to) == ("in_progress", nurse)

    open_panel.panel_open = False
    staff_client.post(reverse("act", args=[escalation.pk, "reply"]), {"text": "Are you still there?"})
    assert StaffReply.objects.filter(escalation=escalation).last().delivery == "delivered"

    open_panel.close()
    page = staff_client.post(
        reverse("act", args=[escalation.pk, "reply"]), {"text": "I will call you at 10."}, follow=True
    )
    assert StaffReply.objects.filter(escalation=escalation).last().delivery == "not_connected"
    assert "queued in the conversation and shown with your name" in page.content.decode()
    # Coming back in the same session, the visitor sees it with the name.
    back = tabs(token=open_panel.token)
    last = back.history[-1]
    assert (last["text"], last["staff_name"], last["staff_role"]) == ("I will call you at 10.", "Kim", "nurse")


def test_returning_the_conversation_resumes_the_assistant_and_says_so(
    console_env, tabs, staff_client, nurse, make_escalation
):
    tab = tabs()
    escalation = escalated(tab, make_escalation)
    staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]))
    tab.wait("bot_uttered")
    staff_client.post(reverse("staff_mode", args=[escalation.pk, "return"]))
    notice = tab.wait("bot_uttered")
    assert notice["notice"] == "returned" and "handed the conversation back to the assistant" in notice["text"]
    assert tracker(console_env, tab.conversation_id)["paused"] is False
    tab.say("what is fibromyalgia")
    assert "fibromyalgia" in tab.wait("bot_uttered")["text"].lower()


def test_resolving_resumes_the_assistant_and_says_so(console_env, tabs, staff_client, nurse, make_escalation):
    tab = tabs()
    escalation = escalated(tab, make_escalation)
    staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]))
    tab.wait("bot_uttered")
    staff_client.post(reverse("act", args=[escalation.pk, "resolve"]), {"outcome": "called_back"})
    notice = tab.wait("bot_uttered")
    assert notice["notice"] == "resolved" and "closed this request" in notice["text"]
    assert tracker(console_env, tab.conversation_id)["paused"] is False


def test_a_crisis_message_in_staff_mode_gets_988_at_once_and_alerts_the_console(
    console_env, tabs, staff_client, nurse, make_escalation
):
    tab = tabs()
    escalation = escalated(tab, make_escalation)
    staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]))
    tab.wait("bot_uttered")
    tab.say(CRISIS)
    crisis_reply = tab.wait("bot_uttered")
    assert "988" in crisis_reply["text"] and "911" in crisis_reply["text"]
    assert tracker(console_env, tab.conversation_id)["paused"] is True
    # A new urgent escalation (in the assistant's own store; the console's queue alerts on it:
    # tests/browser/test_handoff.py), and the escalation page flags the crisis.
    deadline = time.monotonic() + 30
    while not [
        record
        for record in list_escalations(console_env["env"])
        if record["conversation_id"] == tab.conversation_id and record["reason"] == "crisis"
    ]:
        assert time.monotonic() < deadline, "no urgent escalation was recorded"
        time.sleep(0.2)
    live = json.loads(staff_client.get(reverse("live_escalation", args=[escalation.pk])).content)
    assert live["crisis"] is not None
    page = staff_client.get(reverse("detail", args=[escalation.pk])).content.decode()
    assert "Crisis message during staff mode." in page
    tab.say("sorry, I'm ok now")
    assert tab.received() == []


def test_the_live_state_names_its_version_and_answers_304_until_something_changes(
    console_env, tabs, staff_client, nurse, make_escalation
):
    tab = tabs(panel_open=False)
    escalation = escalated(tab, make_escalation)
    url = reverse("live_escalation", args=[escalation.pk])
    first = staff_client.get(url)
    state = json.loads(first.content)
    assert state["presence"] == {"connected": True, "panel_open": False} and state["paused"] is False
    assert staff_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    tab.say("anyone there?")
    changed = staff_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    tab.close()
    assert json.loads(staff_client.get(url).content)["presence"] == {"connected": False, "panel_open": False}
