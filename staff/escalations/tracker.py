"""Read-only access to Rasa's SQL tracker store, the one conversation store.

TRACKER_DATABASE_URL names it (PostgreSQL in production mode); by default it is the SQLite file
Rasa writes, var/tracker.db, opened read-only: the console must never create or change it.
Rasa's ``events`` table has one row per event: ``id`` (increasing), ``sender_id`` (the
conversation), ``type_name`` ("user", "bot", "slot", ...), ``timestamp`` (Unix time),
``intent_name`` (user events), ``action_name`` (actions, and the slot's name for slot events)
and ``data``, the whole event as JSON. An unreadable store raises ``TrackerUnreadable``
(logged), which each page turns into a notice: a page never fails because Rasa's database is down.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy

from clinic.local_secrets import var_dir
from clinic.transcript import event_buttons, shown_text

logger = logging.getLogger(__name__)


def tracker_database_url() -> str:
    return os.environ.get("TRACKER_DATABASE_URL") or f"sqlite:///file:{var_dir() / 'tracker.db'}?mode=ro&uri=true"


class TrackerUnreadable(RuntimeError):
    """Rasa's tracker store cannot be read (down, missing, or not yet created)."""


@dataclass(frozen=True)
class Event:
    id: int
    conversation_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)


def read_events(
    where: str, params: dict[str, Any], url: str | None = None, expanding: Iterable[str] = ()
) -> list[Event]:
    """Events matching the SQL condition ``where`` (bound ``params``), in the order they happened."""
    query = sqlalchemy.text(
        "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
        f"WHERE {where} ORDER BY timestamp, id"
    )
    for name in expanding:
        query = query.bindparams(sqlalchemy.bindparam(name, expanding=True))
    engine = sqlalchemy.create_engine(url or tracker_database_url())
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, params).fetchall()
    except sqlalchemy.exc.SQLAlchemyError as error:
        logger.warning("event=staff.tracker_store_unreadable error=%s", type(error).__name__)
        raise TrackerUnreadable(type(error).__name__) from error
    finally:
        engine.dispose()
    events = []
    for row in rows:
        try:
            data = json.loads(row[6]) if row[6] else {}
        except ValueError:
            data = {}
        events.append(Event(row[0], row[1], row[2], float(row[3] or 0), row[4], row[5], data))
    return events


def last_visitor_messages(conversation_ids: list[str], url: str | None = None) -> dict[str, Event]:
    """The latest user event of each of these conversations (those the store holds; none if unreadable).

    A button pressed (or its number typed over SMS) reached Rasa as its payload ("/affirm"); the
    event's text is the button's title ("Yes, I agree"), as the visitor saw it.
    """
    if not conversation_ids:
        return {}
    try:
        events = read_events(
            "type_name IN ('user', 'bot') AND sender_id IN :ids", {"ids": conversation_ids}, url, ["ids"]
        )
    except TrackerUnreadable:
        return {}
    latest: dict[str, Event] = {}
    offered: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        as_dict = {"event": event.type_name, **event.data}
        if event.type_name == "bot" and event_buttons(as_dict):
            offered[event.conversation_id] = event_buttons(as_dict)
        elif event.type_name == "user":
            text = str(event.data.get("text") or "")
            shown = shown_text(text, offered.get(event.conversation_id, []))
            latest[event.conversation_id] = replace(event, data={**event.data, "text": shown})
    return latest
