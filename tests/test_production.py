"""Production mode against real PostgreSQL and Redis: stores, API token, loopback actions, CORS, logs.

The conversation tests in test_conversation.py, test_escalation_conversations.py and
test_webchat_channel.py also run against this configuration (the ``assistant`` fixture).
"""

import json
import uuid
from pathlib import Path

import psycopg2
import pytest
import redis
import requests

from tests.conftest import texts

pytestmark = pytest.mark.production_only
ALLOWED_ORIGIN = "https://www.example-clinic.org"


def new_visitor() -> str:
    return f"prod-{uuid.uuid4().hex}"


def rows(url: str, query: str, *params) -> list[tuple]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
    finally:
        connection.close()


def test_conversations_are_kept_in_postgresql_in_order(assistant, rest, production_stores):
    visitor = new_visitor()
    rest.say(visitor, "what is fibromyalgia")
    rest.say(visitor, "where are your clinics")
    stored = rows(
        production_stores.tracker_url,
        "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
        visitor,
    )
    assert [json.loads(data)["text"] for (data,) in stored] == ["what is fibromyalgia", "where are your clinics"]


def test_each_message_takes_the_conversation_lock_in_redis(assistant, rest, redis_server):
    client = redis.Redis(port=redis_server.port, password=redis_server.password)

    def lock_writes() -> int:
        return client.info("commandstats").get("cmdstat_set", {}).get("calls", 0)

    before = lock_writes()
    rest.say(new_visitor(), "hello")
    assert lock_writes() > before


def test_escalations_are_written_to_their_own_postgresql_database(assistant, rest, production_stores):
    visitor = new_visitor()
    replies = rest.say(visitor, "I want to kill myself")
    assert "988" in texts(replies)
    stored = rows(
        production_stores.escalations_url,
        "SELECT reason, priority FROM escalations_escalation WHERE conversation_id = %s",
        visitor,
    )
    assert stored == [("crisis", "urgent")]


def test_http_api_needs_the_token(assistant):
    url = f"{assistant['rasa']}/conversations/{new_visitor()}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": assistant["token"]}, timeout=10).status_code == 200


def listening_addresses(port: int) -> set[str]:
    """Local IPv4 addresses listening on ``port``, read from the kernel's socket table."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, local_port = local.split(":")
        if state == "0A" and int(local_port, 16) == port:  # 0A: LISTEN
            addresses.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return addresses


def test_action_server_listens_on_loopback_only(assistant):
    assert listening_addresses(assistant["actions_port"]) == {"127.0.0.1"}


def test_cors_allows_only_the_configured_site(assistant):
    url = f"{assistant['rasa']}/webhooks/rest/webhook"

    def preflight(origin: str) -> str | None:
        headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
        return requests.options(url, headers=headers, timeout=10).headers.get("Access-Control-Allow-Origin")

    assert preflight(ALLOWED_ORIGIN) == ALLOWED_ORIGIN
    assert preflight("https://evil.example") is None


def test_logs_are_json_lines_without_phone_numbers_or_emails(assistant, rest):
    visitor = new_visitor()
    rest.say(visitor, "can someone call me back")
    rest.say(visitor, "call me at (714) 555-0148 or write to maria.lopez@example.com")
    for log in (assistant["rasa_log"], assistant["actions_log"]):
        text = Path(log).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.strip()]
        assert not [line for line in lines if not line.startswith("{")], f"plain lines in {log}"
        entries = [json.loads(line) for line in lines]
        assert entries and all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
        assert "555-0148" not in text and "maria.lopez@example.com" not in text
    rasa_log = Path(assistant["rasa_log"]).read_text(encoding="utf-8")
    assert "[phone]" in rasa_log and "[email]" in rasa_log
