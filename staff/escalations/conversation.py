"""The whole transcript of an escalated conversation, as the detail page shows it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from clinic.conversation_ids import is_well_formed
from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.transcript import merge_transcript, transcript_from_events
from staff.escalations.models import Escalation

logger = logging.getLogger(__name__)
ROLE_LABELS = {"user": "Visitor", "bot": "Assistant", "staff": "Staff", "notice": "Notice to the visitor"}


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    at: datetime | None
    buttons: tuple[str, ...] = ()
    delivery: str = ""  # for a staff reply kept only in the console: what became of it

    @property
    def label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def at_iso(self) -> str:
        """The time as the transcript stores it, naming the turn for the flag button."""
        return self.at.isoformat() if self.at else ""


@dataclass(frozen=True)
class Transcript:
    turns: list[Turn]
    live: bool  # False: the Rasa server could not be read, only the snapshot is shown
    # True: the record's conversation id is not one any channel issues (a record from before ids
    # were checked), so Rasa is not asked for it at all.
    malformed_id: bool = False


def _turn(raw: dict) -> Turn:
    at = datetime.fromisoformat(raw["at"]) if raw.get("at") else None
    return Turn(raw.get("role", "bot"), raw.get("text", ""), at, tuple(raw.get("buttons") or ()))


def full_transcript(escalation: Escalation, api: RasaApi) -> Transcript:
    """The snapshot taken at escalation, everything said since (from Rasa), and replies Rasa lacks."""
    malformed = not is_well_formed(escalation.conversation_id)
    current, live = [], False
    if malformed:
        logger.warning("event=staff.malformed_conversation_id escalation_id=%s", escalation.id)
    else:
        try:
            current = transcript_from_events(api.events(escalation.conversation_id))
            live = True
        except RasaUnavailable as error:
            logger.warning("event=staff.rasa_unavailable escalation_id=%s error=%s", escalation.id, error)
    turns = [_turn(raw) for raw in merge_transcript(list(escalation.transcript or []), current)]
    kept_here = [
        Turn("staff", reply.text, reply.created_at, delivery=reply.get_delivery_display())
        for reply in escalation.replies.filter(in_tracker=False)
    ]
    if kept_here:
        turns = sorted(turns + kept_here, key=lambda turn: turn.at.timestamp() if turn.at else 0.0)
    return Transcript(turns, live, malformed)
