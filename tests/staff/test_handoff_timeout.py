"""Staff mode ends after STAFF_MODE_TIMEOUT_MINUTES without a staff message: lazily when the
visitor next writes (Rasa's processor hook), or from the console's background loop.

An assistant of its own with a 6-second timeout: the tracker store orders events by time, so a
pause cannot be back-dated, and the other tests need the default 30 minutes.
"""

import time

import pytest
import requests
from django.urls import reverse

from clinic.rasa_api import RasaApi
from harness.servers import running_assistant
from staff.escalations import handoff
from staff.escalations.models import Escalation, StaffProfile
from tests.webchat_tab import Tab

TIMEOUT_MINUTES = "0.1"  # 6 seconds


@pytest.fixture(scope="module")
def quick_assistant(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("timeout"), {"STAFF_MODE_TIMEOUT_MINUTES": TIMEOUT_MINUTES}) as s:
        yield s


@pytest.fixture
def console_env(monkeypatch, quick_assistant):
    monkeypatch.setenv("RASA_URL", quick_assistant["rasa"])
    monkeypatch.setenv("RASA_API_TOKEN", quick_assistant["token"])
    monkeypatch.setenv("STAFF_MODE_TIMEOUT_MINUTES", TIMEOUT_MINUTES)
    return quick_assistant


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


@pytest.fixture
def joined(console_env, tabs, staff_client, staff_user, make_escalation):
    """A visitor whose conversation a nurse has just joined."""
    StaffProfile.objects.create(user=staff_user, display_name="Kim", role="nurse")
    tab = tabs()
    tab.say("hello")
    tab.wait("bot_uttered")
    tab.settle()
    escalation = make_escalation(channel="socketio", conversation_id=tab.conversation_id)
    staff_client.post(reverse("staff_mode", args=[escalation.pk, "join"]))
    assert tab.wait("bot_uttered")["notice"] == "joined"
    return tab, escalation, time.monotonic()


def paused(servers, conversation_id):
    response = requests.get(
        f"{servers['rasa']}/conversations/{conversation_id}/tracker", params={"token": servers["token"]}, timeout=30
    )
    return response.json()["paused"]


def after_timeout(since):
    # The timeout is the behaviour under test: nothing to wait on but the clock.
    time.sleep(max(0.0, since + float(TIMEOUT_MINUTES) * 60 + 0.5 - time.monotonic()))


def test_within_the_timeout_the_assistant_stays_silent(console_env, joined):
    tab, _, _ = joined
    tab.say("what is fibromyalgia")
    assert tab.received() == [] and paused(console_env, tab.conversation_id) is True


def test_after_the_timeout_the_next_visitor_message_resumes_the_assistant_and_is_answered(console_env, joined):
    tab, _, since = joined
    after_timeout(since)
    tab.say("what is fibromyalgia")
    notice, answer = tab.wait("bot_uttered"), tab.wait("bot_uttered")
    assert notice["notice"] == "timed_out" and "has not written for a while" in notice["text"]
    assert "fibromyalgia" in answer["text"].lower()
    assert paused(console_env, tab.conversation_id) is False


def test_the_console_loop_ends_timed_out_staff_mode_and_tells_a_waiting_visitor(console_env, joined):
    tab, escalation, since = joined
    api = RasaApi.from_env()
    assert handoff.end_timed_out(api, Escalation.objects.filter(pk=escalation.pk)) == 0
    after_timeout(since)
    assert handoff.end_timed_out(api, Escalation.objects.filter(pk=escalation.pk)) == 1
    assert tab.wait("bot_uttered")["notice"] == "timed_out"
    assert paused(console_env, tab.conversation_id) is False
