"""A conversation's transcript, as staff read it: who said what, when.

Turns are user, bot or staff; a staff turn is a bot event whose metadata carries
``STAFF_METADATA`` (the console appends staff replies to the tracker that way). A visitor who
pressed a button sent its payload ("/affirm"); the transcript shows the button's title
("Yes, please contact me"), as the visitor saw it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

STAFF_METADATA = "staff_reply"


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


NOTICE_METADATA = "staff_notice"  # a staff-mode notice (clinic/staff_mode.py): staff joined, or left


def _role(event: dict[str, Any]) -> str:
    metadata = (event.get("metadata") or {}) if event.get("event") == "bot" else {}
    if metadata.get(STAFF_METADATA):
        return "staff"
    if metadata.get(NOTICE_METADATA):
        return "notice"
    kind: str = event["event"]
    return kind


def event_buttons(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons (or quick replies) a bot event offered, each with a string title and payload."""
    data = event.get("data") or {}
    return [
        b
        for b in (data.get("buttons") or data.get("quick_replies") or [])
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
    ]


def shown_text(text: str, offered: list[dict[str, Any]]) -> str:
    """What the visitor saw for a message: the title of the offered button whose payload it is."""
    stripped = text.strip()
    return next((b["title"] for b in offered if b["payload"].strip() == stripped), text)


def transcript_from_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """User, bot and staff turns of a Rasa event list (as dicts), oldest first."""
    turns: list[dict[str, Any]] = []
    offered: list[dict[str, Any]] = []  # the buttons of the bot's latest message that had any
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        text = event.get("text") or ""
        if kind == "bot" and event_buttons(event):
            offered = event_buttons(event)
        turn: dict[str, Any] = {
            "role": _role(event),
            "text": shown_text(text, offered) if kind == "user" else text,
            "at": _iso(event.get("timestamp")),
        }
        buttons = (event.get("data") or {}).get("buttons") if kind == "bot" else None
        if buttons:
            turn["buttons"] = [b.get("title") for b in buttons]
        turns.append(turn)
    return turns


def merge_transcript(snapshot: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The snapshot taken at escalation, then every turn of ``current`` said after it, oldest first.

    The snapshot stays authoritative for what it holds (the tracker may have been pruned or
    restarted); only turns newer than its last timestamp are added from ``current``.
    """
    stamps = [turn["at"] for turn in snapshot if turn.get("at")]
    last = max((datetime.fromisoformat(at) for at in stamps), default=None)
    later = [turn for turn in current if last is None or (turn.get("at") and datetime.fromisoformat(turn["at"]) > last)]
    return [*snapshot, *later] if snapshot else later
