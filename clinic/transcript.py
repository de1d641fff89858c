"""A conversation's transcript, as staff read it: who said what, when.

Turns are user, bot or staff; a staff turn is a bot event whose metadata carries
``STAFF_METADATA`` (the console appends staff replies to the tracker that way).
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


def _role(event: dict[str, Any]) -> str:
    if event.get("event") == "bot" and (event.get("metadata") or {}).get(STAFF_METADATA):
        return "staff"
    return event["event"]


def transcript_from_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """User, bot and staff turns of a Rasa event list (as dicts), oldest first."""
    turns: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        turn: dict[str, Any] = {
            "role": _role(event),
            "text": event.get("text") or "",
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
