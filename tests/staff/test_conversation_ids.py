"""Conversation ids in URLs: checked where they enter, encoded in every Rasa API call.

The attack: an escalation filed under the id ``victim/tracker?x=`` made the console fetch
``/conversations/victim/tracker?x=/tracker``, i.e. another conversation's turns.
"""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from clinic.conversation_ids import InvalidConversationId, checked, url_segment
from clinic.escalations import NewEscalation
from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.staff_mode import StaffMember

VICTIM_TEXT = "my results came back positive"
HOSTILE_IDS = [
    "victim/tracker?x=",
    "a@b",
    "a+b",
    "victim#",
    "..",
    ".",
    "",
    "a b",
    "victim%2Ftracker",
    "x" * 129,
    "ｖｉｃｔｉｍ",
    "v\n",
]


class FakeRasa:
    """A loopback stand-in for Rasa's HTTP API: records every path, knows one conversation."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake.paths.append(self.path)
                events = []
                if self.path.startswith("/conversations/victim/tracker"):
                    events = [{"event": "user", "text": VICTIM_TEXT, "timestamp": time.time()}]
                body = json.dumps({"events": events}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rasa(monkeypatch) -> Iterator[FakeRasa]:
    fake = FakeRasa()
    monkeypatch.setenv("RASA_URL", fake.url)
    yield fake
    fake.close()


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_malformed_ids_are_refused(hostile):
    with pytest.raises(InvalidConversationId):
        checked(hostile)


@pytest.mark.parametrize("ordinary", ["web-" + "a" * 32, "sms-0123abcd", "visitor-1", "rest:clinic.site_x-y"])
def test_the_ids_the_channels_issue_are_accepted(ordinary):
    assert checked(ordinary) == ordinary


def test_an_id_in_a_url_is_encoded_with_nothing_left_safe():
    assert url_segment("rest:clinic.x") == "rest%3Aclinic.x"


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_the_escalation_store_refuses_a_malformed_id(hostile):
    with pytest.raises(ValueError):
        NewEscalation(
            idempotency_key="k", channel="rest", conversation_id=hostile, reason="crisis", triggering_message="x"
        )


def test_the_api_client_encodes_the_id_and_never_sends_a_malformed_one(rasa):
    api = RasaApi(rasa.url, "token")
    api.events("rest:clinic.x")
    assert rasa.paths[-1].startswith("/conversations/rest%3Aclinic.x/tracker?")
    for call in (
        lambda: api.events("victim/tracker?x="),
        lambda: api.append_staff_turn("victim/tracker?x=", "hello", 1, StaffMember("Kim", "nurse")),
        lambda: api.web_presence("victim/tracker?x="),
        lambda: api.deliver_to_web_visitor("victim/tracker?x=", "hello"),
    ):
        with pytest.raises(RasaUnavailable):
            call()
    assert len(rasa.paths) == 1


def test_an_escalation_filed_under_a_crafted_id_does_not_show_another_conversation(staff_client, make_escalation, rasa):
    # Written straight to the table, as a record from before ids were checked would be.
    escalation = make_escalation(conversation_id="victim/tracker?x=")
    page = staff_client.get(reverse("detail", args=[escalation.pk]))
    assert page.status_code == 200
    assert VICTIM_TEXT not in page.content.decode()
    assert "conversation id is not one the assistant issues" in page.content.decode()
    assert rasa.paths == []
    # The console does read a well-formed conversation through the same fake.
    ordinary = make_escalation(conversation_id="victim")
    assert VICTIM_TEXT in staff_client.get(reverse("detail", args=[ordinary.pk])).content.decode()
