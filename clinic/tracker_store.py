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
  their JSON column alone (Rasa builds an ORM query for every read), and written in one batch,
  on a plain connection rather than an ORM session.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from clinic.local_secrets import private_file

STORED_EVENTS = "_clinic_stored_events"  # tracker attribute: events of it already in the table


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The ``events`` row Rasa's SQL tracker store writes for ``event``."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
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
        self._current_session_events, self._current_session_count = current_session_statements(self.SQLEvent.__table__)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
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
        with self.engine.begin() as connection:
            rows = [event_row(tracker.sender_id, event) for event in self._unsaved_events(connection, tracker)]
            if rows:
                connection.execute(sa.insert(self.SQLEvent.__table__), rows)
        setattr(tracker, STORED_EVENTS, len(tracker.events))
