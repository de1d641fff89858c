"""What the SMS channel remembers between webhooks, in one SQLite file (var/sms.db).

Processed MessageSids (Twilio retries webhooks), opted-out senders, each sender's pending
numbered menu, per-sender rate-limit counters, outbound messages that could not be sent, and
each sender's reply address. Senders are known by their keyed hash; the number itself is kept
only encrypted: as the reply address, so that staff can text or call back someone who texted
the clinic (a crisis escalation has no contact form), and in the consent ledger.

The consent ledger is the record of when and how each number opted in and out (TCPA disputes
turn on it). It is append-only: nothing here updates or deletes it, and SQLite triggers refuse
UPDATE and DELETE from any connection. It holds the matched keyword, never the message, so it
can outlive conversation retention.
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
from dataclasses import dataclass
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
CREATE TABLE IF NOT EXISTS consent_ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, sealed_number TEXT,
    event TEXT NOT NULL CHECK (event IN ('opt_in_first_text', 'opt_out', 'opt_in_again')),
    keyword TEXT NOT NULL, language TEXT NOT NULL, channel TEXT NOT NULL, at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS consent_ledger_sender ON consent_ledger (sender, id);
CREATE TRIGGER IF NOT EXISTS consent_ledger_no_update BEFORE UPDATE ON consent_ledger
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS consent_ledger_no_delete BEFORE DELETE ON consent_ledger
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
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


# The word kept in the ledger for an opt-in by texting the clinic first (the message is not kept).
FIRST_TEXT = "(first text)"


@dataclass(frozen=True)
class ConsentEvent:
    at: float  # Unix time
    event: str  # opt_in_first_text, opt_out, opt_in_again
    keyword: str
    language: str
    channel: str


@dataclass(frozen=True)
class OptOutRow:
    at: float
    number: str  # decrypted for the admin's report; "" when sealed with another key
    keyword: str
    language: str
    channel: str
    still_opted_out: bool


def _seal(number: str | None) -> str | None:
    return _address_cipher().encrypt(number.encode()).decode() if number else None


def _unseal(sealed: str | None) -> str:
    if not sealed:
        return ""
    try:
        return _address_cipher().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""


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

    def _append_consent(
        self, db: sqlite3.Connection, sender: str, number: str | None, event: str, keyword: str, language: str
    ) -> None:
        db.execute(
            "INSERT INTO consent_ledger (sender, sealed_number, event, keyword, language, channel, at)"
            " VALUES (?, ?, ?, ?, ?, 'sms', ?)",
            (sender, _seal(number), event, keyword, language, time.time()),
        )

    def opt_out(self, sender: str, number: str | None, keyword: str, language: str = "en") -> bool:
        """Records the opt-out and its ledger entry; True when the sender was not opted out before."""
        with self._connect() as db:
            if db.execute("INSERT OR IGNORE INTO opted_out VALUES (?, ?)", (sender, time.time())).rowcount != 1:
                return False
            self._append_consent(db, sender, number, "opt_out", keyword, language)
            return True

    def opt_in(self, sender: str, number: str | None, keyword: str, language: str = "en") -> bool:
        """Ends an opt-out (START, or YES from an opted-out number); True when there was one."""
        with self._connect() as db:
            if db.execute("DELETE FROM opted_out WHERE sender = ?", (sender,)).rowcount != 1:
                return False
            self._append_consent(db, sender, number, "opt_in_again", keyword, language)
            return True

    def note_first_text(self, sender: str, number: str) -> None:
        """A number that texts the clinic first has opted in to answers: the ledger's first entry."""
        with self._connect() as db:
            if db.execute("SELECT 1 FROM consent_ledger WHERE sender = ? LIMIT 1", (sender,)).fetchone() is None:
                self._append_consent(db, sender, number, "opt_in_first_text", FIRST_TEXT, "")

    def consent_history(self, sender: str) -> list[ConsentEvent]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT at, event, keyword, language, channel FROM consent_ledger WHERE sender = ? ORDER BY id",
                (sender,),
            ).fetchall()
        return [ConsentEvent(*row) for row in rows]

    def opt_out_report(self) -> list[OptOutRow]:
        """Every opt-out in the ledger, oldest first, with the number and whether it still holds."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.at, c.sealed_number, c.keyword, c.language, c.channel, o.sender IS NOT NULL"
                " FROM consent_ledger c LEFT JOIN opted_out o ON o.sender = c.sender"
                " WHERE c.event = 'opt_out' ORDER BY c.id"
            ).fetchall()
        return [OptOutRow(at, _unseal(sealed), kw, lang, ch, bool(held)) for at, sealed, kw, lang, ch, held in rows]

    def is_opted_out(self, sender: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM opted_out WHERE sender = ?", (sender,)).fetchone() is not None

    def opted_out_among(self, senders: list[str]) -> set[str]:
        """The senders in ``senders`` that are opted out now (one query for a whole list)."""
        if not senders:
            return set()
        with self._connect() as db:
            rows = db.execute(
                f"SELECT sender FROM opted_out WHERE sender IN ({','.join('?' * len(senders))})", senders
            ).fetchall()
        return {row[0] for row in rows}

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

        The opt-out and the consent ledger stay: STOP must be honoured until the person texts
        START, and the ledger is the clinic's proof of consent; neither holds a message.
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
        sealed = _seal(number)
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO reply_addresses VALUES (?, ?, ?)", (sender, sealed, time.time()))

    def reply_address(self, sender: str) -> str | None:
        """The number a conversation texted from, or None when unknown or sealed with another key."""
        with self._connect() as db:
            row = db.execute("SELECT sealed FROM reply_addresses WHERE sender = ?", (sender,)).fetchone()
        return (_unseal(row[0]) or None) if row else None
