"""A conversation's transcript, as staff read it: who said what, when."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional


def _iso(timestamp: Optional[float]) -> Optional[str]:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def transcript_from_events(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """User and bot turns of a Rasa event list (as dicts), oldest first."""
    turns: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        turn: Dict[str, Any] = {"role": kind, "text": event.get("text") or "", "at": _iso(event.get("timestamp"))}
        buttons = (event.get("data") or {}).get("buttons") if kind == "bot" else None
        if buttons:
            turn["buttons"] = [b.get("title") for b in buttons]
        turns.append(turn)
    return turns
