"""What the SMS channel keeps between webhooks: here, the encrypted reply address."""

import sqlite3

import pytest

from clinic.sms_state import SmsState


def test_reply_address_round_trips_and_is_not_stored_in_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("SMS_ADDRESS_KEY", "key-one")
    state = SmsState(tmp_path / "sms.db")
    state.remember_reply_address("sms-abc", "+19495550123")
    assert state.reply_address("sms-abc") == "+19495550123"
    assert state.reply_address("sms-unknown") is None
    [(sealed,)] = sqlite3.connect(tmp_path / "sms.db").execute("SELECT sealed FROM reply_addresses").fetchall()
    assert "9495550123" not in sealed


def test_reply_address_sealed_with_another_key_is_unknown_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SMS_ADDRESS_KEY", "key-one")
    state = SmsState(tmp_path / "sms.db")
    state.remember_reply_address("sms-abc", "+19495550123")
    monkeypatch.setenv("SMS_ADDRESS_KEY", "key-two")
    assert state.reply_address("sms-abc") is None


def test_a_newer_number_replaces_the_old_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SMS_ADDRESS_KEY", "key-one")
    state = SmsState(tmp_path / "sms.db")
    state.remember_reply_address("sms-abc", "+19495550123")
    state.remember_reply_address("sms-abc", "+19495550124")
    assert state.reply_address("sms-abc") == "+19495550124"


def test_the_consent_ledger_records_each_change_once_in_order(tmp_path, monkeypatch):
    monkeypatch.setenv("SMS_ADDRESS_KEY", "key-one")
    state = SmsState(tmp_path / "sms.db")
    state.note_first_text("sms-abc", "+19495550123")
    state.note_first_text("sms-abc", "+19495550123")  # only the first text opts in
    assert state.opt_out("sms-abc", "+19495550123", "stop texting", "en")
    assert not state.opt_out("sms-abc", "+19495550123", "stop", "en")  # already out: no second entry
    assert state.opt_in("sms-abc", "+19495550123", "comenzar", "es")
    assert not state.opt_in("sms-abc", "+19495550123", "start", "en")
    assert [(e.event, e.keyword, e.language, e.channel) for e in state.consent_history("sms-abc")] == [
        ("opt_in_first_text", "(first text)", "", "sms"),
        ("opt_out", "stop texting", "en", "sms"),
        ("opt_in_again", "comenzar", "es", "sms"),
    ]
    [row] = state.opt_out_report()
    assert (row.number, row.keyword, row.still_opted_out) == ("+19495550123", "stop texting", False)
    raw = (tmp_path / "sms.db").read_bytes()
    assert b"9495550123" not in raw


@pytest.mark.parametrize(
    "statement", ["UPDATE consent_ledger SET event = 'opt_in_again'", "DELETE FROM consent_ledger"]
)
def test_the_consent_ledger_refuses_changes_and_deletions_from_any_connection(tmp_path, statement):
    state = SmsState(tmp_path / "sms.db")
    state.opt_out("sms-abc", "+19495550123", "stop", "en")
    db = sqlite3.connect(tmp_path / "sms.db", isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(statement)
    db.close()
    assert len(state.consent_history("sms-abc")) == 1


def test_forgetting_a_conversation_keeps_its_opt_out_and_consent_record(tmp_path):
    state = SmsState(tmp_path / "sms.db")
    state.note_first_text("sms-abc", "+19495550123")
    state.opt_out("sms-abc", "+19495550123", "stop", "en")
    state.forget("sms-abc")
    assert state.is_opted_out("sms-abc") and len(state.consent_history("sms-abc")) == 2
