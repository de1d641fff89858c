"""What the SMS channel remembers between webhooks, in one SQLite file (var/sms.db).

Processed MessageSids (Twilio retries webhooks), opted-out senders, each sender's pending
numbered menu, per-sender rate-limit counters, outbound messages that could not be sent, and
each sender's reply address. Senders are known by their keyed hash; the number itself is kept
only as the reply address, encrypted, so that staff can text or call back someone who texted
the clinic (a crisis escalation has no contact form).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from clinic.local_secrets import local_secret, private_file, var_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS processed (sid TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS opted_out (sender TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS menus (sender TEXT PRIMARY KEY, payloads TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inbound (sender TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS inbound_sender_at ON inbound (sender, at);
CREATE TABLE IF NOT EXISTS rate_notices (sender TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS reply_addresses (sender TEXT PRIMARY KEY, sealed TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failed_outbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, reply_to_sid TEXT NOT NULL,
    body TEXT NOT NULL, error TEXT NOT NULL, at REAL NOT NULL
);
"""


def default_path() -> Path:
    return Path(os.environ.get("SMS_STATE_DB", var_dir() / "sms.db"))


def _address_cipher() -> Fernet:
    secret = local_secret("SMS_ADDRESS_KEY", "sms-address-key").encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))


class SmsState:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        private_file(self.path)  # phone numbers (encrypted) and consent: the owner's alone
        self._lock = threading.Lock()
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.executescript(SCHEMA)
        finally:
            db.close()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    def first_time(self, sid: str) -> bool:
        """True the first time a MessageSid is seen; False for Twilio's retries of it."""
        with self._connect() as db:
            return db.execute("INSERT OR IGNORE INTO processed VALUES (?, ?)", (sid, time.time())).rowcount == 1

    def opt_out(self, sender: str) -> bool:
        """Records the opt-out; True when the sender was not opted out before."""
        with self._connect() as db:
            return db.execute("INSERT OR IGNORE INTO opted_out VALUES (?, ?)", (sender, time.time())).rowcount == 1

    def opt_in(self, sender: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM opted_out WHERE sender = ?", (sender,))

    def is_opted_out(self, sender: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM opted_out WHERE sender = ?", (sender,)).fetchone() is not None

    def save_menu(self, sender: str, payloads: list[str]) -> None:
        with self._connect() as db:
            if payloads:
                db.execute("INSERT OR REPLACE INTO menus VALUES (?, ?)", (sender, json.dumps(payloads)))
            else:
                db.execute("DELETE FROM menus WHERE sender = ?", (sender,))

    def menu(self, sender: str) -> list[str]:
        with self._connect() as db:
            row = db.execute("SELECT payloads FROM menus WHERE sender = ?", (sender,)).fetchone()
        return json.loads(row[0]) if row else []

    def admit(self, sender: str, limit: int, window: float, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, tell_them): over the limit, the sender is told once per window."""
        now = time.time() if now is None else now
        with self._connect() as db:
            db.execute("DELETE FROM inbound WHERE at < ?", (now - window,))
            count = db.execute("SELECT COUNT(*) FROM inbound WHERE sender = ?", (sender,)).fetchone()[0]
            if count < limit:
                db.execute("INSERT INTO inbound VALUES (?, ?)", (sender, now))
                return True, False
            notice = db.execute("SELECT at FROM rate_notices WHERE sender = ?", (sender,)).fetchone()
            if notice and notice[0] >= now - window:
                return False, False
            db.execute("INSERT OR REPLACE INTO rate_notices VALUES (?, ?)", (sender, now))
            return False, True

    def record_failed_send(self, sender: str, reply_to_sid: str, body: str, error: str) -> None:
        """Keeps an undelivered reply (by sender hash, not number) for staff to follow up."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO failed_outbound (sender, reply_to_sid, body, error, at) VALUES (?, ?, ?, ?, ?)",
                (sender, reply_to_sid, body, error, time.time()),
            )

    def forget(self, sender: str) -> int:
        """Deletes what is kept about a sender's conversation; returns how many rows.

        The opt-out stays: STOP must be honoured until the person texts START, and it holds
        only the keyed hash.
        """
        with self._connect() as db:
            return sum(
                db.execute(f"DELETE FROM {table} WHERE sender = ?", (sender,)).rowcount
                for table in ("menus", "inbound", "rate_notices", "failed_outbound", "reply_addresses")
            )

    def purge_before(self, before: float) -> int:
        """Deletes undelivered replies and reply addresses not touched since ``before`` (a Unix time)."""
        with self._connect() as db:
            return sum(
                db.execute(f"DELETE FROM {table} WHERE at < ?", (before,)).rowcount
                for table in ("failed_outbound", "reply_addresses")
            )

    def failed_sends(self) -> list[tuple[str, str, str]]:
        with self._connect() as db:
            return db.execute("SELECT sender, reply_to_sid, body FROM failed_outbound ORDER BY id").fetchall()

    def remember_reply_address(self, sender: str, number: str) -> None:
        sealed = _address_cipher().encrypt(number.encode()).decode()
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO reply_addresses VALUES (?, ?, ?)", (sender, sealed, time.time()))

    def reply_address(self, sender: str) -> str | None:
        """The number a conversation texted from, or None when unknown or sealed with another key."""
        with self._connect() as db:
            row = db.execute("SELECT sealed FROM reply_addresses WHERE sender = ?", (sender,)).fetchone()
        if row is None:
            return None
        try:
            return _address_cipher().decrypt(row[0].encode()).decode()
        except InvalidToken:
            return None
