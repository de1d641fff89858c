"""A conversation's transcript, as staff read it: who said what, when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


def transcript_from_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """User and bot turns of a Rasa event list (as dicts), oldest first."""
    turns: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        turn: dict[str, Any] = {
            "role": kind,
            "text": event.get("text") or "",
            "at": _iso(event.get("timestamp")),
        }
        buttons = (event.get("data") or {}).get("buttons") if kind == "bot" else None
        if buttons:
            turn["buttons"] = [b.get("title") for b in buttons]
        turns.append(turn)
    return turns
