"""The website chat channel at the socket.io protocol level: signed sessions, tabs, forgery."""

import queue

import pytest
import socketio

from clinic.web_sessions import issue_session, verify_session


class Visitor:
    """One browser tab, speaking Rasa's socket.io events."""

    def __init__(self, base: str, token=None) -> None:
        self.events: queue.Queue[tuple[str, object]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("session_confirm", "history", "bot_uttered", "user_echo", "session_required"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        self.client.connect(base, transports=["polling"])
        if token is not False:
            self.client.emit("session_request", {"session_id": token})
            self.token = self.wait("session_confirm")
            self.history = self.wait("history")

    def wait(self, name, timeout=30):
        while True:
            event, data = self.events.get(timeout=timeout)
            if event == name:
                return data

    def say(self, text):
        self.client.emit("user_uttered", {"message": text, "session_id": self.token})

    def answers(self, count, timeout=30):
        return [self.wait("bot_uttered", timeout) for _ in range(count)]

    def close(self):
        # Aborting skips waiting for the long-poll in flight to time out.
        self.client.eio.disconnect(abort=True)


@pytest.fixture
def visitors(assistant):
    opened = []

    def open_tab(token=None):
        visitor = Visitor(assistant["rasa"], token)
        opened.append(visitor)
        return visitor

    yield open_tab
    for visitor in opened:
        visitor.close()


def test_tokens_are_signed_and_unguessable(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_SESSION_KEY", "k1")
    token = issue_session()
    conversation_id = verify_session(token)
    assert conversation_id.startswith("web-") and len(conversation_id) == 36
    assert verify_session(conversation_id) is None
    assert verify_session(conversation_id + ".0000") is None
    monkeypatch.setenv("WIDGET_SESSION_KEY", "k2")
    assert verify_session(token) is None


def conversation_of(token):
    return token.split(".")[0]


def test_a_fresh_visitor_gets_a_new_signed_session(visitors):
    visitor = visitors()
    assert conversation_of(visitor.token).startswith("web-") and visitor.history == []


def test_a_second_tab_continues_the_same_conversation(visitors):
    first = visitors()
    first.say("what is fibromyalgia")
    assert "Fibromyalgia" in first.answers(1)[0]["text"]
    second = visitors(first.token)
    assert second.token == first.token
    assert (second.history[0]["role"], second.history[0]["text"]) == ("user", "what is fibromyalgia")
    first.say("thanks!")
    assert second.answers(1)[0]["text"]


def test_nobody_can_join_another_conversation_without_its_signed_token(visitors):
    victim = visitors()
    victim.say("I take 300mg of gabapentin, can I double it?")
    victim.answers(1)
    conversation_id = conversation_of(victim.token)
    for forged in (conversation_id, conversation_id + ".deadbeef", "default", None):
        intruder = visitors(forged)
        assert intruder.token != victim.token and intruder.history == []


def test_a_message_before_a_session_is_refused(assistant):
    visitor = Visitor(assistant["rasa"], token=False)
    visitor.client.emit("user_uttered", {"message": "hello", "session_id": "web-anything"})
    assert visitor.wait("session_required") == {}
    visitor.close()


def test_typed_commands_are_text_over_socketio(visitors, rest):
    visitor = visitors()
    visitor.say("what is fibromyalgia")
    visitor.answers(1)
    visitor.say("/restart")
    visitor.answers(1)
    events = rest.tracker(conversation_of(visitor.token))["events"]
    assert not any(e["event"] == "restart" for e in events)
    assert any(e.get("text") == "what is fibromyalgia" for e in events)


def test_local_secret_prefers_the_environment_and_otherwise_persists_one(tmp_path, monkeypatch):
    from clinic.local_secrets import local_secret

    monkeypatch.setenv("CLINIC_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SOME_TEST_SECRET", raising=False)
    made = local_secret("SOME_TEST_SECRET", "some-secret")
    assert len(made) == 64 and local_secret("SOME_TEST_SECRET", "some-secret") == made
    monkeypatch.setenv("SOME_TEST_SECRET", "from-env")
    assert local_secret("SOME_TEST_SECRET", "some-secret") == "from-env"


def test_a_crisis_in_the_web_chat_is_answered_first_and_the_chat_stays_in_the_safety_state(visitors):
    tab = visitors()
    tab.say("I keep thinking about ending my life")
    [reply] = tab.answers(1)
    assert "988" in reply["text"] and "911" in reply["text"]
    tab.say("thank you")
    [follow_up] = tab.answers(1)
    assert "still here with you" in follow_up["text"] and "alerted" in follow_up["text"]
    assert not follow_up.get("buttons") and not follow_up.get("quick_replies")
