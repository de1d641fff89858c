"""What the SMS channel keeps between webhooks: here, the encrypted reply address."""

import sqlite3

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
