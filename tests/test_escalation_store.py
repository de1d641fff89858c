"""The escalation store: atomic, idempotent, and nothing lost when the database is down."""

import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from clinic.escalations import EscalationStore, escalation_id, main
from tests.support.escalations import new_escalation


@pytest.fixture
def store(escalation_db, tmp_path):
    return EscalationStore(outbox=tmp_path / "outbox")


def stored(store, key):
    return [e for e in store.list() if e["id"] == str(escalation_id(key))]


def test_record_stores_every_field(store):
    escalation = new_escalation()
    outcome = store.record(escalation)
    assert outcome.stored and outcome.created
    [row] = stored(store, escalation.idempotency_key)
    assert row["reason"] == "medical_advice" and row["priority"] == "normal" and row["status"] == "new"
    assert row["contact_phone"] == "+19495550142" and row["consent"] is True
    assert row["transcript"][0]["text"] == "can I double my lyrica?"


def test_crisis_is_urgent(store):
    escalation = new_escalation(reason="crisis", consent=False)
    store.record(escalation)
    [row] = stored(store, escalation.idempotency_key)
    assert row["priority"] == "urgent"


def test_a_retried_write_does_not_duplicate(store):
    escalation = new_escalation()
    first, second = store.record(escalation), store.record(escalation)
    assert first.id == second.id and first.created and not second.created
    assert len(stored(store, escalation.idempotency_key)) == 1


def test_contact_details_are_dropped_without_consent():
    escalation = new_escalation(consent=False)
    assert escalation.contact_phone == "" and escalation.best_time == ""


def test_unknown_reason_is_rejected():
    with pytest.raises(ValueError):
        new_escalation(reason="gossip")


def test_locked_database_sends_the_record_to_the_outbox_then_drains_it(store, escalation_db):
    escalation = new_escalation()
    blocker = sqlite3.connect(escalation_db, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        outcome = store.record(escalation)
    finally:
        blocker.rollback()
        blocker.close()
    assert not outcome.stored and store.pending_in_outbox() == 1
    assert stored(store, escalation.idempotency_key) == []
    assert store.drain_outbox() == 1
    assert store.pending_in_outbox() == 0
    assert len(stored(store, escalation.idempotency_key)) == 1


def test_store_killed_mid_write_loses_nothing_and_leaves_no_half_record(store, monkeypatch):
    """The database connection dies after the row is inserted but before commit."""
    from django.db import OperationalError, transaction

    from staff.escalations.models import Escalation

    escalation = new_escalation()
    real_save = Escalation.save

    def save_then_die(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Escalation, "save", save_then_die)
    outcome = store.record(escalation)
    monkeypatch.setattr(Escalation, "save", real_save)
    assert not outcome.stored
    assert transaction.get_connection().in_atomic_block is False
    assert stored(store, escalation.idempotency_key) == []
    assert store.drain_outbox() == 1
    assert len(stored(store, escalation.idempotency_key)) == 1


def test_drain_stops_while_the_database_is_still_down(store, escalation_db):
    escalation = new_escalation()
    store._to_outbox(escalation)
    blocker = sqlite3.connect(escalation_db, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        assert store.drain_outbox() == 0
    finally:
        blocker.rollback()
        blocker.close()
    assert store.pending_in_outbox() == 1
    assert store.drain_outbox() == 1


def test_outbox_files_are_complete_json(store):
    escalation = new_escalation()
    store._to_outbox(escalation)
    [path] = list(store.outbox.glob("*.json"))
    assert json.loads(path.read_text())["idempotency_key"] == escalation.idempotency_key
    assert not list(store.outbox.glob("*.partial"))


def test_notified_flag_survives_the_outbox(store):
    escalation = new_escalation()
    store.mark_notified_in_outbox(escalation)
    store.drain_outbox()
    assert str(escalation.id) not in {row["id"] for row in store.unnotified()}
    [row] = stored(store, escalation.idempotency_key)
    assert row["notified"] is True


def test_cli_lists_escalations_as_json(store, capsys):
    escalation = new_escalation(reason="fallback")
    store.record(escalation)
    main(["list", "--reason", "fallback"])
    listed = json.loads(capsys.readouterr().out)
    assert str(escalation.id) in {row["id"] for row in listed}
    assert {row["reason"] for row in listed} == {"fallback"}


def test_clearing_transcripts_keeps_the_record_and_its_contact(store):
    old = new_escalation(conversation_id="conv-old", created_at="2026-01-05T10:00:00+00:00")
    idle = new_escalation(conversation_id="conv-idle")
    fresh = new_escalation(conversation_id="conv-fresh")
    for escalation in (old, idle, fresh):
        store.record(escalation)

    cleared = store.clear_transcripts(["conv-idle"], created_before=datetime(2026, 2, 1, tzinfo=UTC))

    assert cleared == 2
    [old_row], [idle_row], [fresh_row] = (stored(store, e.idempotency_key) for e in (old, idle, fresh))
    for row in (old_row, idle_row):
        assert row["transcript"] == [] and row["triggering_message"] == ""
        assert row["contact_phone"] == "+19495550142" and row["reason"] == "medical_advice"
    assert fresh_row["transcript"] and fresh_row["triggering_message"] == "can I double my lyrica?"
    assert store.clear_transcripts(["conv-idle"], created_before=datetime(2026, 2, 1, tzinfo=UTC)) == 0
    # The console's search copy of what was said goes with it.
    from staff.escalations.models import Escalation

    search_texts = {
        e.conversation_id: e.search_text for e in Escalation.objects.filter(conversation_id__startswith="conv-")
    }
    assert search_texts["conv-old"] == search_texts["conv-idle"] == ""
    assert "lyrica" in search_texts["conv-fresh"]


def test_the_conversation_language_is_recorded(store):
    from staff.escalations.models import Escalation

    spanish = new_escalation(conversation_id="conv-es", language="es")
    unknown = new_escalation(conversation_id="conv-unknown")
    store.record(spanish)
    store.record(unknown)
    languages = dict(
        Escalation.objects.filter(conversation_id__in=["conv-es", "conv-unknown"]).values_list(
            "conversation_id", "language"
        )
    )
    assert languages == {"conv-es": "es", "conv-unknown": None}


def test_forgetting_a_conversation_deletes_its_records_and_outbox_copies(store):
    store.record(new_escalation(conversation_id="conv-gone"))
    store.record(new_escalation(conversation_id="conv-kept"))
    store.mark_notified_in_outbox(new_escalation(conversation_id="conv-gone"))
    store.mark_notified_in_outbox(new_escalation(conversation_id="conv-kept"))

    assert store.forget_conversation("conv-gone") == 2
    assert not [e for e in store.list() if e["conversation_id"] == "conv-gone"]
    assert [e for e in store.list() if e["conversation_id"] == "conv-kept"]
    assert store.pending_in_outbox() == 1


def crisis(conversation, key, reason="crisis", text="i want to die", at=None):
    return new_escalation(
        idempotency_key=f"{conversation}:{reason}:{key}",
        conversation_id=conversation,
        reason=reason,
        triggering_message=text,
        transcript=[{"role": "user", "text": text, "at": None}],
        consent=False,
        **({"created_at": at.isoformat()} if at else {}),
    )


WINDOW = timedelta(minutes=60)


def test_later_crisis_messages_within_the_window_update_the_open_urgent_record(store):
    conversation = f"conv-{uuid.uuid4().hex}"
    first = store.record(crisis(conversation, "m1"), merge_within=WINDOW)
    second = store.record(crisis(conversation, "m2", "overdose", "i took all my pills"), merge_within=WINDOW)
    assert first.created and not second.created and second.merged and second.reason_changed
    assert second.id == first.id
    [row] = [e for e in store.list() if e["conversation_id"] == conversation]
    assert row["reason"] == "overdose" and row["priority"] == "urgent"
    assert row["triggering_message"] == "i want to die\ni took all my pills"
    third = store.record(crisis(conversation, "m3", "overdose", "please"), merge_within=WINDOW)
    assert third.merged and not third.reason_changed
    # A retried action for a merged message changes nothing.
    again = store.record(crisis(conversation, "m3", "overdose", "please"), merge_within=WINDOW)
    assert again.id == first.id and not again.created
    assert [e for e in store.list() if e["conversation_id"] == conversation][0]["triggering_message"].count(
        "please"
    ) == 1


def test_after_the_window_a_crisis_gets_a_new_record(store):
    conversation = f"conv-{uuid.uuid4().hex}"
    store.record(crisis(conversation, "m1", at=datetime.now(UTC) - timedelta(minutes=90)), merge_within=WINDOW)
    later = store.record(crisis(conversation, "m2"), merge_within=WINDOW)
    assert later.created and not later.merged
    assert len([e for e in store.list() if e["conversation_id"] == conversation]) == 2


def test_a_resolved_crisis_is_not_reopened_by_a_new_message(store):
    from staff.escalations.models import Escalation

    conversation = f"conv-{uuid.uuid4().hex}"
    first = store.record(crisis(conversation, "m1"), merge_within=WINDOW)
    Escalation.objects.filter(id=first.id).update(status="resolved")
    assert store.record(crisis(conversation, "m2"), merge_within=WINDOW).created


def test_only_urgent_escalations_are_merged(store):
    conversation = f"conv-{uuid.uuid4().hex}"
    store.record(new_escalation(idempotency_key=f"{conversation}:a", conversation_id=conversation), merge_within=WINDOW)
    second = store.record(
        new_escalation(idempotency_key=f"{conversation}:b", conversation_id=conversation), merge_within=WINDOW
    )
    assert second.created
