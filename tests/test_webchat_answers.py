"""The web chat's answers at the socket.io protocol level: whole answers with their sources,
histories that show button titles, confirmed messages, expiring tokens and stored ratings."""

import json
import queue
import subprocess
import sys
import time

import pytest
import socketio

from clinic.web_sessions import issue_session, verify_session
from harness.servers import ROOT


class Tab:
    """One browser tab of the widget: Rasa's socket.io events, messages confirmed by acknowledgement."""

    def __init__(self, base: str, token=None) -> None:
        self.events: queue.Queue[tuple[str, object]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("widget_config", "session_confirm", "history", "bot_uttered"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        self.client.connect(base, transports=["polling"])
        self.client.emit("session_request", {"session_id": token})
        self.settings = self.wait("widget_config")
        self.token = self.wait("session_confirm")
        self.history = self.wait("history")

    def wait(self, name, timeout=30):
        while True:
            event, data = self.events.get(timeout=timeout)
            if event == name:
                return data

    def say(self, text, message_id=None):
        """Sends a message and returns the server's acknowledgement."""
        data = {"message": text, "session_id": self.token, "id": message_id or f"m-{time.monotonic_ns()}"}
        return self.client.call("user_uttered", data, timeout=60)

    def answer(self):
        return self.wait("bot_uttered")

    def close(self):
        self.client.eio.disconnect(abort=True)


@pytest.fixture
def tabs(assistant):
    opened = []

    def open_tab(token=None):
        tab = Tab(assistant["rasa"], token)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()


def conversation_of(token):
    return token.split(".")[0]


def test_the_widget_gets_the_brand_and_suggestions_of_the_clinic_configuration(tabs):
    from clinic.directory import default_directory

    brand = default_directory().brand
    settings = tabs().settings
    assert settings["clinicName"] == brand.name and settings["assistantName"] == brand.assistant_name
    assert settings["suggestions"] == list(brand.suggestions) and 3 <= len(settings["suggestions"]) <= 4
    assert settings["phone"] == brand.phone and settings["sms"] == brand.sms and settings["email"] == brand.email
    assert "not medical advice" in settings["disclaimer"]


def test_an_faq_answer_is_one_message_with_its_response_name_and_linked_sources(tabs, rest):
    tab = tabs()
    assert tab.say("what are the symptoms of fibromyalgia") == {"ok": True}
    answer = tab.answer()
    assert answer["response"] == "utter_fibro_symptoms"
    # The whole answer in one message, its list kept; the plain citation line replaced by links.
    assert "fibro fog" in answer["text"] and "in flares" in answer["text"]
    assert "Sources:" not in answer["text"]
    assert [s["url"] for s in answer["sources"]][0] == "https://www.niams.nih.gov/health-topics/fibromyalgia"
    assert isinstance(answer["at"], float)
    # The web chat's greeting card showed the not-medical-advice note: no second copy as a message.
    events = rest.tracker(conversation_of(tab.token))["events"]
    assert [e["metadata"].get("utter_action") for e in events if e["event"] == "bot"] == ["utter_fibro_symptoms"]


def test_the_history_shows_the_title_of_a_pressed_button_and_keeps_the_offer(tabs):
    tab = tabs()
    tab.say("hello")
    offer = tab.answer()
    titles = {b["title"]: b["payload"] for b in offer["quick_replies"]}
    assert titles["What is fibromyalgia?"] == "/fibro_definition"
    tab.say("/fibro_definition")
    tab.answer()
    history = tabs(tab.token).history
    assert [(t["role"], t["text"]) for t in history if t["role"] == "user"] == [
        ("user", "hello"),
        ("user", "What is fibromyalgia?"),
    ]
    greeting = next(t for t in history if t["role"] == "bot")
    assert greeting["quick_replies"] == offer["quick_replies"]
    assert history[-1]["response"] == "utter_fibro_definition" and history[-1]["sources"]


def test_each_message_is_confirmed_once_handled_and_a_retry_is_handled_once(tabs, rest):
    tab = tabs()
    assert [tab.say(f"thanks {i}", message_id=f"q-{i}") for i in range(3)] == [{"ok": True}] * 3
    assert tab.say("thanks 0", message_id="q-0") == {"ok": True}  # a retry after a lost confirmation
    users = [e["text"] for e in rest.tracker(conversation_of(tab.token))["events"] if e["event"] == "user"]
    assert users == ["thanks 0", "thanks 1", "thanks 2"]


def test_tokens_expire_after_the_configured_days(monkeypatch):
    monkeypatch.setenv("WIDGET_SESSION_KEY", "k1")
    issued_at = 1_800_000_000
    token = issue_session(now=issued_at)
    assert verify_session(token, now=issued_at + 29 * 86400) == conversation_of(token)
    assert verify_session(token, now=issued_at + 30 * 86400) is None
    monkeypatch.setenv("WIDGET_SESSION_DAYS", "1")
    assert verify_session(token, now=issued_at + 2 * 3600) == conversation_of(token)
    assert verify_session(token, now=issued_at + 25 * 3600) is None
    forged = token.replace(f".{issued_at}.", f".{issued_at + 86400}.")
    assert verify_session(forged, now=issued_at + 2 * 3600) is None


def list_ratings(assistant):
    output = subprocess.run(
        [sys.executable, "-m", "clinic.ratings", "list", "--endpoints", assistant["endpoints"]],
        cwd=ROOT,
        env=assistant["env"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def test_a_rating_is_stored_in_the_conversation_and_listed(tabs, assistant, rest):
    tab = tabs()
    tab.say("how long does a ketamine infusion take?")
    answer = tab.answer()
    rate = {"response": answer["response"], "at": answer["at"]}
    assert tab.client.call("rate", {**rate, "value": "down"}) == {"ok": True}
    assert tab.client.call("rate", {**rate, "value": "down", "reason": "not_clear"}) == {"ok": True}
    # Only answers of this conversation, with known values, are rated.
    refused = [
        {**rate, "value": "meh"},
        {**rate, "value": "up", "reason": "not_clear"},
        {**rate, "at": answer["at"] + 1, "value": "up"},
        {"response": "utter_greet", "at": answer["at"], "value": "up"},
        "up",
    ]
    for bad in refused:
        assert tab.client.call("rate", bad)["ok"] is False
    conversation_id = conversation_of(tab.token)
    events = rest.tracker(conversation_id)["events"]
    assert len([e for e in events if e["event"] == "slot" and e["name"] == "answer_rating"]) == 2
    mine = [r for r in list_ratings(assistant) if r["conversation_id"] == conversation_id]
    assert len(mine) == 1
    assert {k: mine[0][k] for k in ("response", "value", "reason", "message")} == {
        "response": answer["response"],
        "value": "down",
        "reason": "not_clear",
        "message": "how long does a ketamine infusion take?",
    }
    # After a reload the answer shows as rated, so the widget does not ask again.
    assert tabs(tab.token).history[-1]["rated"] == "down"
