"""The doors into the assistant, attacked as an outsider would: each request must be refused.

One assistant with low message limits and SMS configured (a loopback Twilio fake). Each test
speaks from its own loopback address (127.0.0.x), so the per-address limits of one test do not
touch another's.
"""

import hashlib
import hmac
import json
import queue
import socket
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio
from requests.adapters import HTTPAdapter
from twilio.request_validator import RequestValidator

from harness.servers import list_escalations, running_assistant
from tests.fake_twilio import AUTH_TOKEN, PUBLIC_URL, sms_env

PER_ADDRESS, PER_CONVERSATION = 12, 5
SMS_HASH_KEY = "public-inputs-sms-hash-key"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, twilio):
    limits = {
        "CHAT_RATE_LIMIT_PER_ADDRESS": str(PER_ADDRESS),
        "CHAT_RATE_LIMIT_PER_CONVERSATION": str(PER_CONVERSATION),
        "CHAT_RATE_WINDOW_SECONDS": "600",
        "SMS_HASH_KEY": SMS_HASH_KEY,
    }
    with running_assistant(tmp_path_factory.mktemp("public-inputs"), sms_env(twilio, **limits)) as servers:
        yield servers


class FromAddress(HTTPAdapter):
    """Connects from a chosen local address: 127.0.0.x are all this machine's loopback."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


def rest(session, servers, sender, text="hello", headers=None):
    return session.post(
        f"{servers['rasa']}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=servers["rest_headers"] if headers is None else headers,
        timeout=60,
    )


def user_texts(servers, conversation_id):
    response = requests.get(
        f"{servers['rasa']}/conversations/{conversation_id}/tracker", params={"token": servers["token"]}, timeout=30
    )
    return [e["text"] for e in response.json()["events"] if e["event"] == "user"]


def raw_request(port: int, head: str, body: bytes = b"", timeout: float = 10) -> str:
    """Sends ``head`` (and ``body``) as they are and returns the status line of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        return connection.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def listening_addresses(port: int) -> set[str]:
    """Local IPv4 addresses listening on ``port``, read from the kernel's socket table."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, local_port = local.split(":")
        if state == "0A" and int(local_port, 16) == port:  # 0A: LISTEN
            addresses.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return addresses


def crafted_crisis_call() -> dict:
    """An action call with an invented tracker: an urgent escalation with an attacker's number."""
    return {
        "next_action": "action_submit_escalation",
        "sender_id": "sms-attacker",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "sms-attacker",
            "slots": {"contact": "+19495550666", "consent": True, "escalation_reason": "crisis"},
            "latest_message": {"text": "yes", "message_id": "x"},
            "events": [
                {"event": "user", "text": "help", "input_channel": "sms", "timestamp": 1},
                {"event": "bot", "text": "Staff: we will text you", "timestamp": 2},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


# The action server


def test_the_action_server_listens_on_loopback_only(guarded):
    assert listening_addresses(guarded["actions_port"]) == {"127.0.0.1"}


def test_an_action_call_without_rasas_token_is_refused_and_records_nothing(guarded):
    url = f"{guarded['actions']}/webhook"
    for headers in ({}, {"X-Clinic-Action-Token": "guessed"}):
        response = requests.post(url, json=crafted_crisis_call(), headers=headers, timeout=30)
        assert response.status_code == 401 and "token" in response.json()["error"]
    assert not [e for e in list_escalations(guarded["env"]) if e["conversation_id"] == "sms-attacker"]


def test_a_text_plain_or_broken_json_action_call_is_refused_even_with_the_token(guarded):
    # A web page may POST text/plain anywhere without asking the server first.
    token = {"X-Clinic-Action-Token": guarded["env"]["ACTION_SERVER_TOKEN"]}
    body = json.dumps(crafted_crisis_call())
    no_token = requests.post(
        f"{guarded['actions']}/webhook", data=body, headers={"Content-Type": "text/plain"}, timeout=30
    )
    assert no_token.status_code == 401
    plain = requests.post(
        f"{guarded['actions']}/webhook", data=body, headers={**token, "Content-Type": "text/plain"}, timeout=30
    )
    assert plain.status_code == 415
    broken = requests.post(
        f"{guarded['actions']}/webhook",
        data="{not json",
        headers={**token, "Content-Type": "application/json"},
        timeout=30,
    )
    assert broken.status_code == 400 and "json" in broken.json()["error"]


def test_unknown_action_server_routes_get_a_json_404(guarded):
    token = {"X-Clinic-Action-Token": guarded["env"]["ACTION_SERVER_TOKEN"]}
    response = requests.get(f"{guarded['actions']}/no-such-route", headers=token, timeout=30)
    assert response.status_code == 404 and response.json() == {"error": "Requested URL /no-such-route not found"}
    assert "Traceback" not in Path(guarded["actions_log"]).read_text(encoding="utf-8")


def test_rasa_still_reaches_its_action_server(guarded):
    sender = f"crisis-{uuid.uuid4().hex[:8]}"
    response = rest(client_at("127.0.0.11"), guarded, sender, "I want to end my life")
    assert "988" in response.json()[0]["text"]
    [record] = [e for e in list_escalations(guarded["env"]) if e["conversation_id"] == sender]
    assert record["channel"] == "rest" and record["reason"] == "crisis"


# REST: a door for integrations only, with checked ids


def test_rest_without_the_integration_token_is_refused(guarded):
    client, sender = client_at("127.0.0.12"), f"no-token-{uuid.uuid4().hex[:8]}"
    for headers in ({}, {"Authorization": "Bearer guessed"}, {"Authorization": guarded["rest_token"]}):
        response = rest(client, guarded, sender, headers=headers)
        assert response.status_code == 401 and "REST_CHANNEL_TOKEN" in response.json()["error"]
    assert user_texts(guarded, sender) == []


@pytest.mark.parametrize(
    "sender", ["web-0123456789abcdef0123456789abcdef", "WEB-x", "sms-0123", "a/b", "x?y=1", "../x", "a b", "é", "-x"]
)
def test_rest_refuses_other_channels_ids_and_unsafe_characters(guarded, sender):
    response = rest(client_at("127.0.0.13"), guarded, sender)
    assert response.status_code == 400 and "'sender'" in response.json()["error"]


def test_rest_limits_each_conversation_and_says_when_to_retry(guarded):
    client, sender = client_at("127.0.0.14"), f"chatty-{uuid.uuid4().hex[:8]}"
    for number in range(PER_CONVERSATION):
        assert rest(client, guarded, sender, f"hello {number}").status_code == 200
    refused = rest(client, guarded, sender, "one too many")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"] == "too many messages: try again later"
    assert "one too many" not in user_texts(guarded, sender)
    assert rest(client, guarded, f"other-{uuid.uuid4().hex[:8]}").status_code == 200


def test_rest_limits_each_client_address(guarded):
    client = client_at("127.0.0.15")
    senders = [f"many-{uuid.uuid4().hex[:8]}" for _ in range(PER_ADDRESS // 4)]
    for sender in senders:
        for _ in range(4):
            assert rest(client, guarded, sender).status_code == 200
    assert rest(client, guarded, f"fresh-{uuid.uuid4().hex[:8]}").status_code == 429
    assert rest(client_at("127.0.0.16"), guarded, f"fresh-{uuid.uuid4().hex[:8]}").status_code == 200


def test_the_server_refuses_bodies_over_its_size_limit(guarded):
    body = json.dumps({"text": "x" * (2 * 1024 * 1024)})
    response = requests.post(
        f"{guarded['rasa']}/model/parse", data=body, params={"token": guarded["token"]}, timeout=30
    )
    assert response.status_code == 413


def test_the_api_token_is_not_on_any_command_line(guarded):
    for pid in guarded["pids"]().values():
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        assert guarded["token"] not in command_line and "--auth-token" not in command_line
    assert requests.get(f"{guarded['rasa']}/status", params={"token": guarded["token"]}, timeout=30).ok
    assert requests.get(f"{guarded['rasa']}/status", params={"token": "test-token"}, timeout=30).status_code == 401


def test_the_rasa_server_listens_on_loopback_only(guarded):
    assert listening_addresses(int(guarded["rasa"].rsplit(":", 1)[1])) == {"127.0.0.1"}


# The web chat


class Tab:
    def __init__(self, base: str) -> None:
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("session_confirm", "session_error", "history", "bot_uttered", "rate_limited"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        self.client.connect(base, transports=["polling"])

    def wait(self, name, timeout=30):
        while True:
            event, data = self.events.get(timeout=timeout)
            if event == name:
                return data

    def close(self):
        self.client.eio.disconnect(abort=True)


def test_a_session_request_that_is_not_an_object_gets_a_clear_error(guarded):
    tab = Tab(guarded["rasa"])
    try:
        for payload in ("a string", 5, ["list"]):
            tab.client.emit("session_request", payload)
            assert "object" in tab.wait("session_error")["error"]
        tab.client.emit("session_request", {})
        assert tab.wait("session_confirm").startswith("web-")
    finally:
        tab.close()
    assert "Traceback" not in Path(guarded["rasa_log"]).read_text(encoding="utf-8")


def test_the_web_chat_limits_each_conversation_and_tells_the_visitor(guarded):
    tab = Tab(guarded["rasa"])
    try:
        tab.client.emit("session_request", {})
        conversation_id = tab.wait("session_confirm").split(".")[0]
        for number in range(PER_CONVERSATION):
            tab.client.call("user_uttered", {"message": f"hi {number}"}, timeout=60)
        tab.client.call("user_uttered", {"message": "one too many"}, timeout=60)
        refused = tab.wait("rate_limited")
        assert refused["text"] == "one too many" and refused["retry_after"] > 0
        notices = []
        while not any("send it again" in n.get("text", "") for n in notices):
            notices.append(tab.wait("bot_uttered"))
    finally:
        tab.close()
    assert "one too many" not in user_texts(guarded, conversation_id)


# The SMS webhook


def sms_head(port: int, length: int, signed: bool = True) -> str:
    signature = "X-Twilio-Signature: c2lnbmF0dXJl\n" if signed else ""
    return (
        f"POST /webhooks/sms/webhook HTTP/1.1\nHost: 127.0.0.1:{port}\n"
        f"Content-Type: application/x-www-form-urlencoded\n{signature}Content-Length: {length}\n"
    )


def test_an_unsigned_sms_webhook_is_refused_before_its_body_is_read(guarded):
    port = int(guarded["rasa"].rsplit(":", 1)[1])
    # 50 MB announced and none sent: the answer comes at once, so the body was never awaited.
    started = time.monotonic()
    assert raw_request(port, sms_head(port, 50_000_000, signed=False)) == "HTTP/1.1 403 Forbidden"
    assert raw_request(port, sms_head(port, 50_000_000)) == "HTTP/1.1 413 Request Entity Too Large"
    assert time.monotonic() - started < 5


def test_a_chunked_sms_body_over_the_limit_is_refused(guarded):
    port = int(guarded["rasa"].rsplit(":", 1)[1])
    head = sms_head(port, 0).replace("Content-Length: 0\n", "Transfer-Encoding: chunked\n")
    chunk = b"a" * 70_000
    body = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
    assert raw_request(port, head, body) == "HTTP/1.1 413 Request Entity Too Large"


def test_a_long_sms_is_cut_to_the_rest_limit(guarded):
    number = "+19495550123"
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": number,
        "To": "+19495550100",
        "Body": "pains" * 6_000,
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, params)
    response = requests.post(
        f"{guarded['rasa']}/webhooks/sms/webhook", data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    assert response.status_code == 200
    digest = hmac.new(SMS_HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
    deadline = time.monotonic() + 60
    while not (said := user_texts(guarded, f"sms-{digest[:32]}")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [len(text) for text in said] == [20_000]
