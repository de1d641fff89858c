"""Rasa's SQL tracker store, with less database work per message.

The same table, the same rows and the same answers as Rasa's ``SQLTrackerStore`` (the staff
console, the dashboard and retention read that table). What changes, measured with
``make bench`` and a CPU profile of the server (numbers in the README):

- SQLite connections are kept in a pool. Rasa 3.6 leaves SQLAlchemy 1.4's default for SQLite
  files, which opens a new connection (and sets it up) for every query, three times a message.
- A tracker read from the store remembers how many of its events are stored. Saving it then
  writes the events after those, as Rasa does, without first counting the stored rows again.
  Rasa holds the conversation's lock from the read to the save, so the count cannot change in
  between. A tracker that came any other way (a new conversation, a full history) is saved as
  Rasa saves it: after the count of the events of the conversation's current session.
- A conversation's events, and their count, are read with statements built once, the events as
  their JSON column alone (Rasa builds an ORM query for every read), and written in one batch
  with an insert statement built once, on a plain connection rather than an ORM session.
- The trackers of recently saved conversations are kept in memory, each with the count and the
  highest id of its conversation's rows as it saved them. Reading the conversation again asks
  the table for those two numbers only; when they are unchanged (nothing else wrote or deleted
  rows: another replica, retention, ``make forget``), the kept tracker is handed out instead of
  rebuilding it from every stored event (~15% of the server's CPU). A kept tracker is handed out
  once (whoever reads it owns it, as with a tracker built from the table), and only one that
  looks exactly like a read from the table (its session's start is its first event) is kept,
  and only while its messages hold at most ``KEPT_MESSAGE_CHARACTERS`` characters. The kept
  trackers together hold at most ``KEPT_TRACKERS`` conversations and ``KEPT_CHARACTERS_IN_ALL``
  characters of messages, so many long messages cannot make them the server's largest use of
  memory.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from clinic.json_text import json_text
from clinic.local_secrets import private_file

STORED_EVENTS = "_clinic_stored_events"  # tracker attribute: events of it already in the table
KEPT_TRACKERS = 256  # conversations: about 100 kB each
# A conversation with more message text than this is read from the table again rather than
# kept: long messages (up to the channels' 20,000 characters) would make the kept trackers
# the server's largest use of memory.
KEPT_MESSAGE_CHARACTERS = 20_000
KEPT_CHARACTERS_IN_ALL = 500_000  # room for 256 conversations of about 2,000 characters


class KeptTracker(NamedTuple):
    tracker: DialogueStateTracker
    fingerprint: tuple[int, int | None]  # the count and highest id of the conversation's rows
    domain: Any
    characters: int  # of its messages


def message_characters(events: Iterable[Event]) -> int:
    """Characters of the messages (the visitor's and the assistant's texts) among ``events``."""
    return sum(len(getattr(event, "text", None) or "") for event in events)


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The ``events`` row Rasa's SQL tracker store writes for ``event``."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json_text(data),
    }


def current_session_statements(events: sa.Table) -> tuple[sa.sql.Select, sa.sql.Select]:
    """Rasa's queries of a conversation's events since its last session start, and of their count."""
    sender_id = sa.bindparam("sender_id")
    session_start = (
        sa.select(sa.func.max(events.c.timestamp))
        .where(events.c.sender_id == sender_id, events.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    current = sa.and_(
        events.c.sender_id == sender_id, sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
    )
    return sa.select(events.c.data).where(current).order_by(events.c.id), sa.select(sa.func.count()).where(current)


class PooledSQLTrackerStore(SQLTrackerStore):
    """``type: clinic.tracker_store.PooledSQLTrackerStore`` in endpoints.yml, with Rasa's SQL settings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            if url.database:
                # Conversations are patient data: the file (already made by Rasa, inside the
                # private var/) is made the owner's alone, and SQLite's WAL files follow it.
                private_file(Path(url.database))
            self.engine.dispose()
            # One event loop thread uses the store; a pooled connection may be returned by another.
            self.engine = sa.create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
            self.sessionmaker = sessionmaker(bind=self.engine)
        events = self.SQLEvent.__table__
        self._current_session_events, self._current_session_count = current_session_statements(events)
        self._insert_events = sa.insert(events)
        self._fingerprint = sa.select(sa.func.count(), sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )
        self._kept: OrderedDict[str, KeptTracker] = OrderedDict()
        self._kept_characters = 0

    def _conversation_fingerprint(self, connection: sa.engine.Connection, sender_id: str) -> tuple[int, int | None]:
        count, highest_id = connection.execute(self._fingerprint, {"sender_id": sender_id}).one()
        return count, highest_id

    def _forget_kept(self, sender_id: str | None = None) -> KeptTracker | None:
        """Takes one conversation's kept tracker (the oldest when ``sender_id`` is None) out of memory."""
        if sender_id is None:
            kept = self._kept.popitem(last=False)[1]
        else:
            kept = self._kept.pop(sender_id, None)
        if kept is not None:
            self._kept_characters -= kept.characters
        return kept

    def _kept_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        kept = self._forget_kept(sender_id)
        if kept is None:
            return None
        tracker, fingerprint, domain, _ = kept
        if domain is not self.domain:
            return None
        with self.engine.connect() as connection:
            return tracker if self._conversation_fingerprint(connection, sender_id) == fingerprint else None

    def _keep(self, tracker: DialogueStateTracker, fingerprint: tuple[int, int | None]) -> None:
        session_starts = [i for i, event in enumerate(tracker.events) if isinstance(event, SessionStarted)]
        if session_starts != [0]:
            return  # a read from the table starts at the session's start: this one would differ
        characters = message_characters(tracker.events)
        if characters > KEPT_MESSAGE_CHARACTERS:
            return
        self._forget_kept(tracker.sender_id)
        self._kept[tracker.sender_id] = KeptTracker(tracker, fingerprint, self.domain, characters)
        self._kept_characters += characters
        while len(self._kept) > KEPT_TRACKERS or self._kept_characters > KEPT_CHARACTERS_IN_ALL:
            self._forget_kept()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        if not fetch_events_from_all_sessions:
            kept = self._kept_tracker(sender_id)
            if kept is not None:
                return kept
        if fetch_events_from_all_sessions:
            with self.session_scope() as session:
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions=True)
                rows = query.with_entities(self.SQLEvent.data).all()
        else:
            with self.engine.connect() as connection:
                rows = connection.execute(self._current_session_events, {"sender_id": sender_id}).all()
        if not (self.domain and rows):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows], self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED_EVENTS, len(rows))
        return tracker

    def _unsaved_events(self, connection: sa.engine.Connection, tracker: DialogueStateTracker) -> Iterator[Event]:
        stored = getattr(tracker, STORED_EVENTS, None)
        if stored is None:
            stored = connection.execute(self._current_session_count, {"sender_id": tracker.sender_id}).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self._forget_kept(tracker.sender_id)
        with self.engine.begin() as connection:
            rows = [event_row(tracker.sender_id, event) for event in self._unsaved_events(connection, tracker)]
            if rows:
                connection.execute(self._insert_events, rows)
            fingerprint = self._conversation_fingerprint(connection, tracker.sender_id)
        setattr(tracker, STORED_EVENTS, len(tracker.events))
        self._keep(tracker, fingerprint)
