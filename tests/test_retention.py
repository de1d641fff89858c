"""Conversation retention against the running assistant, on SQLite (embedded) and PostgreSQL (production)."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from clinic.retention import POOLED_SQL_TRACKER_STORE, TrackerEvents, keeps_rasas_events_table
from clinic.sms_sender import conversation_id
from clinic.sms_state import SmsState
from harness.servers import ROOT, list_escalations

CRISIS = "I can't do this anymore, I want to end my life"


def new_visitor() -> str:
    return f"retention-{uuid.uuid4().hex}"


def retention(assistant, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "clinic.retention", "--endpoints", assistant["endpoints"], *arguments],
        cwd=ROOT,
        env=assistant["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def age_conversation(assistant, monkeypatch, conversation_id: str, days: int) -> None:
    """Moves a conversation's events ``days`` into the past, in whichever database holds them."""
    for name in (
        "TRACKER_DATABASE_URL",
        "REDIS_HOST",
        "REDIS_PORT",
        "REDIS_PASSWORD",
        "REDIS_DB",
        "ACTION_SERVER_TOKEN",
    ):
        if name in assistant["env"]:
            monkeypatch.setenv(name, assistant["env"][name])
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1/webhook")
    events = TrackerEvents(Path(assistant["endpoints"]))
    with events.engine.begin() as connection:
        connection.execute(
            events.table.update()
            .where(events.table.c.sender_id == conversation_id)
            .values(timestamp=events.table.c.timestamp - days * 86400)
        )


def user_texts(rest, conversation_id: str) -> list[str]:
    return [e["text"] for e in rest.tracker(conversation_id)["events"] if e["event"] == "user"]


def escalations_of(assistant, conversation_id: str) -> list[dict]:
    return [e for e in list_escalations(assistant["env"]) if e["conversation_id"] == conversation_id]


def test_purge_deletes_idle_conversations_and_their_transcripts_only(assistant, rest, monkeypatch):
    idle, recent = new_visitor(), new_visitor()
    rest.say(idle, CRISIS)
    rest.say(recent, "what is fibromyalgia")
    rest.say(recent, CRISIS)
    age_conversation(assistant, monkeypatch, idle, days=40)

    result = retention(assistant, "purge", "--older-than-days", "30")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["conversations"] >= 1 and report["events"] >= 2 and report["escalation_transcripts"] >= 1
    assert user_texts(rest, idle) == []
    [kept_record] = escalations_of(assistant, idle)
    assert kept_record["transcript"] == [] and kept_record["triggering_message"] == ""
    assert kept_record["reason"] == "crisis"  # the record itself stays for follow-up
    assert user_texts(rest, recent) == ["what is fibromyalgia", CRISIS]
    [recent_record] = escalations_of(assistant, recent)
    assert recent_record["transcript"] and recent_record["triggering_message"] == CRISIS


def test_retention_period_comes_from_the_environment(assistant, rest, monkeypatch):
    visitor = new_visitor()
    rest.say(visitor, "hello")
    age_conversation(assistant, monkeypatch, visitor, days=10)
    env = {**assistant["env"], "RETENTION_DAYS": "20"}
    command = [sys.executable, "-m", "clinic.retention", "--endpoints", assistant["endpoints"], "purge"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    assert user_texts(rest, visitor) == ["hello"]
    subprocess.run(command, cwd=ROOT, env=env | {"RETENTION_DAYS": "5"}, check=True, capture_output=True, timeout=120)
    assert user_texts(rest, visitor) == []


def test_forget_deletes_everything_about_one_conversation(assistant, rest):
    forgotten, other = new_visitor(), new_visitor()
    for visitor in (forgotten, other):
        rest.say(visitor, "what is fibromyalgia")
        rest.say(visitor, CRISIS)
    assert escalations_of(assistant, forgotten)

    result = retention(assistant, "forget", forgotten)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["conversation_id"] == forgotten and report["escalations"] == 1 and report["events"] > 0
    assert user_texts(rest, forgotten) == []
    assert escalations_of(assistant, forgotten) == []
    assert user_texts(rest, other) == ["what is fibromyalgia", CRISIS]
    assert len(escalations_of(assistant, other)) == 1


def test_negative_retention_is_refused(assistant):
    result = retention(assistant, "purge", "--older-than-days", "-1")
    assert result.returncode == 2 and "negative" in result.stderr


def test_forget_by_phone_clears_that_senders_sms_state(assistant, tmp_path, monkeypatch):
    monkeypatch.setenv("SMS_HASH_KEY", "test-key")
    env = assistant["env"] | {"SMS_STATE_DB": str(tmp_path / "sms.db"), "SMS_HASH_KEY": "test-key"}
    state = SmsState(tmp_path / "sms.db")
    sender, other = conversation_id("+17145550148"), conversation_id("+19495550199")
    for who in (sender, other):
        state.save_menu(who, ["/fibro_definition"])
        state.admit(who, limit=5, window=60)
        state.record_failed_send(who, "SM1", "reply text", "send failed")
        state.remember_reply_address(who, "+17145550148" if who == sender else "+19495550199")
    state.opt_out(sender, "+17145550148", "stop")

    result = subprocess.run(
        [sys.executable, "-m", "clinic.retention", "--endpoints", assistant["endpoints"]]
        + ["forget", "--phone", "(714) 555-0148"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["conversation_id"] == sender and report["sms_rows"] == 4  # menu, rate, failed send, address
    assert state.menu(sender) == [] and [row[0] for row in state.failed_sends()] == [other]
    assert state.menu(other) == ["/fibro_definition"]
    assert state.reply_address(sender) is None and state.reply_address(other) == "+19495550199"
    assert state.is_opted_out(sender)  # STOP is honoured until START


def test_purge_drops_undelivered_sms_and_reply_addresses_older_than_the_cutoff(tmp_path):
    state = SmsState(tmp_path / "sms.db")
    state.record_failed_send("sms-a", "SM1", "old reply", "send failed")
    state.remember_reply_address("sms-a", "+19495550101")
    cutoff = time.time() + 1
    assert state.purge_before(before=cutoff) == 2
    state.record_failed_send("sms-b", "SM2", "new reply", "send failed")
    state.remember_reply_address("sms-b", "+19495550102")
    assert state.purge_before(before=time.time() - 3600) == 0
    assert [row[0] for row in state.failed_sends()] == ["sms-b"]
    assert state.reply_address("sms-a") is None and state.reply_address("sms-b") == "+19495550102"


@pytest.mark.parametrize(
    ("store_type", "kept"),
    [("SQL", True), ("sql", True), ("Sql", True), (POOLED_SQL_TRACKER_STORE, True), ("redis", False), (None, False)],
)
def test_retention_reads_the_tracker_stores_that_keep_rasas_events_table(store_type, kept):
    assert keeps_rasas_events_table(store_type) is kept


def test_retention_refuses_a_tracker_store_without_the_events_table(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: redis\n  url: localhost\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="retention needs an SQL tracker store"):
        TrackerEvents(endpoints)
