"""Staff mode: a person from the clinic takes over a conversation and the assistant steps back.

The state lives in Rasa's tracker only. Entering appends Rasa's own ``pause`` event (Rasa then
records every visitor message and predicts nothing) and a bot event marked ``staff_notice``
telling the visitor who joined; leaving appends ``resume`` and a notice saying why. Staff
messages are bot events marked ``staff_reply`` with the author's display name and role. So the
state, who is in the conversation and when staff last wrote are all read back from the events:
nothing is kept anywhere else.

These functions work on events as dicts (the HTTP API's and ``Event.as_dict()``'s shape), so
the console, the channels and the Rasa launcher's hook (clinic/rasa_staff_mode.py) share them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from clinic.messages import message_text
from clinic.transcript import NOTICE_METADATA, STAFF_METADATA

JOINED, RETURNED, RESOLVED, TIMED_OUT = "joined", "returned", "resolved", "timed_out"
# Why staff mode ended -> the notice the visitor gets (content/messages.yml).
NOTICE_MESSAGES = {
    JOINED: "staff_joined",
    RETURNED: "staff_returned",
    RESOLVED: "staff_resolved",
    TIMED_OUT: "staff_timed_out",
}
LANGUAGE_SLOT = "language"
LANGUAGES = ("en", "es")
DEFAULT_TIMEOUT_MINUTES = 30.0


def timeout_seconds() -> float:
    """STAFF_MODE_TIMEOUT_MINUTES (default 30) in seconds; a bad value falls back to the default."""
    try:
        minutes = float(os.environ.get("STAFF_MODE_TIMEOUT_MINUTES", DEFAULT_TIMEOUT_MINUTES))
    except ValueError:
        minutes = DEFAULT_TIMEOUT_MINUTES
    return max(minutes, 0.0) * 60


@dataclass(frozen=True)
class StaffMember:
    """Who speaks for the clinic, as the visitor sees them."""

    name: str
    role: str

    def metadata(self) -> dict[str, str]:
        return {"staff_name": self.name, "staff_role": self.role}

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any] | None) -> StaffMember | None:
        metadata = metadata or {}
        name = metadata.get("staff_name")
        return cls(str(name), str(metadata.get("staff_role") or "")) if name else None


def is_staff_event(event: dict[str, Any]) -> bool:
    metadata = event.get("metadata") or {}
    return event.get("event") == "bot" and bool(metadata.get(STAFF_METADATA) or metadata.get(NOTICE_METADATA))


def is_paused(events: Iterable[dict[str, Any]]) -> bool:
    """Whether the latest of Rasa's pause and resume events is a pause (as Rasa's tracker reads it)."""
    paused = False
    for event in events:
        if event.get("event") == "pause":
            paused = True
        elif event.get("event") in ("resume", "restart"):
            paused = False
    return paused


def last_staff_activity(events: list[dict[str, Any]]) -> float | None:
    """When staff last acted in the conversation (the pause, or a staff message since), if paused."""
    for event in reversed(events):
        if event.get("event") == "pause" or is_staff_event(event):
            timestamp: float | None = event.get("timestamp")
            return timestamp
        if event.get("event") in ("resume", "restart"):
            return None
    return None


def timed_out(events: list[dict[str, Any]], now: float | None = None, limit: float | None = None) -> bool:
    """True for a paused conversation with no staff message for longer than the timeout."""
    if not is_paused(events):
        return False
    last = last_staff_activity(events)
    limit = timeout_seconds() if limit is None else limit
    return last is not None and (time.time() if now is None else now) - last > limit


def crisis_during_staff_mode(events: list[dict[str, Any]], crisis_intent: str = "crisis") -> float | None:
    """The time of the latest crisis message since staff joined, while they are still in; else None."""
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("pause", "resume", "restart"):
            return None
        if kind == "user" and ((event.get("parse_data") or {}).get("intent") or {}).get("name") == crisis_intent:
            return event.get("timestamp") if is_paused(events) else None
    return None


def language_of(slots: dict[str, Any] | None) -> str:
    """The visitor's language from the tracker's ``language`` slot when the domain has one."""
    value = (slots or {}).get(LANGUAGE_SLOT)
    return value if value in LANGUAGES else "en"


def notice_text(kind: str, language: str, channel: str | None, staff: StaffMember | None, clinic: str) -> str:
    """What the visitor is told when staff join, or why the assistant is back."""
    values = {"staff_name": staff.name if staff else "", "staff_role": staff.role if staff else "", "clinic": clinic}
    return message_text(NOTICE_MESSAGES[kind], channel, language, **values)


def sms_text(text: str, staff: StaffMember, language: str) -> str:
    """A staff message as texted: prefixed with the name, since SMS has no bubbles."""
    return message_text("staff_sms_message", "sms", language, staff_name=staff.name, text=text)


def notice_event(text: str, kind: str, staff: StaffMember | None, at: float | None = None) -> dict[str, Any]:
    """The bot event that records a notice in the tracker (the widget's history shows it)."""
    metadata: dict[str, Any] = {NOTICE_METADATA: kind, **(staff.metadata() if staff else {})}
    return {"event": "bot", "text": text, "timestamp": at or time.time(), "metadata": metadata}


def staff_message_event(text: str, staff: StaffMember, staff_id: int, at: float | None = None) -> dict[str, Any]:
    metadata = {STAFF_METADATA: True, "staff_id": staff_id, **staff.metadata()}
    return {"event": "bot", "text": text, "timestamp": at or time.time(), "metadata": metadata}
