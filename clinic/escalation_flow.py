"""Decisions of the contact form and the escalation, kept apart from rasa_sdk for testing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clinic.contact import DECLINED, clean_first_name, is_cancel, is_decline, parse_contact
from clinic.directory import Directory
from clinic.escalations import NewEscalation
from clinic.finder import clinic_named
from clinic.hours import local_now, next_callback_window
from clinic.language import fold
from clinic.messages import message
from clinic.transcript import transcript_from_events

CONSENT_YES = {
    *("yes", "y", "yeah", "yep", "sure", "ok", "okay", "i agree", "agree", "yes please", "of course"),
    *("si", "claro", "si claro", "claro que si", "de acuerdo", "estoy de acuerdo", "acepto", "si acepto"),
    *("esta bien", "si esta bien", "si por favor", "sale", "va", "dale", "por supuesto"),
}
CONSENT_NO = {
    *("no", "n", "nope", "nah", "no thanks", "i don't agree", "dont", "don't"),
    *("no gracias", "no acepto", "no estoy de acuerdo", "nel", "mejor no"),
}


@dataclass(frozen=True)
class Answer:
    """A validated slot value, or why it was not accepted."""

    value: Any = None
    cancelled: bool = False
    problem: str | None = None  # the message (content/messages.yml) explaining a rejection


def refusal(text: str) -> Answer | None:
    """ "stop" ends the form; "skip" declines this one question; anything else is an answer."""
    if is_cancel(text):
        return Answer(cancelled=True)
    if is_decline(text):
        return Answer(DECLINED)
    return None


def answer_first_name(text: str) -> Answer:
    if refused := refusal(text):
        return refused
    name = clean_first_name(text)
    return Answer(name) if name else Answer(problem="invalid_first_name")


def answer_contact(text: str) -> Answer:
    if refused := refusal(text):
        return refused
    details = parse_contact(text)
    if details is None:
        return Answer(problem="invalid_contact")
    return Answer(details.phone or details.email)


def answer_best_time(text: str) -> Answer:
    if refused := refusal(text):
        return refused
    cleaned = " ".join(text.split())[:200]
    return Answer(cleaned) if cleaned else Answer(problem="ask_best_time")


def answer_consent(value: Any) -> Answer:
    if isinstance(value, bool):
        return Answer(value)
    text = " ".join(fold(str(value or "")).replace(",", " ").split()).rstrip(".!")
    if is_cancel(text):
        return Answer(cancelled=True)
    if text in CONSENT_YES:
        return Answer(True)
    if text in CONSENT_NO or is_decline(text):
        return Answer(False)
    return Answer(problem="invalid_consent")


def remaining_slots(contact: str | None) -> list[str]:
    """Without a way to reach the visitor there is nothing to time or consent to."""
    if contact == DECLINED:
        return ["first_name", "contact"]
    return ["first_name", "contact", "best_time", "consent"]


def given(value: str | None) -> str:
    return "" if value in (None, DECLINED) else str(value)


def clinic_discussed(events: list[dict[str, Any]], directory: Directory) -> str:
    """The directory id of the clinic the visitor last named (as a clinic or its city), or ""."""
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        for entity in reversed((event.get("parse_data") or {}).get("entities") or []):
            if entity.get("entity") in ("clinic", "city"):
                clinic = clinic_named(directory, str(entity.get("value") or ""))
                if clinic is not None:
                    return clinic.id
    return ""


def build_escalation(
    *,
    reason: str,
    sender_id: str,
    channel: str,
    trigger: dict[str, Any],
    events: list[dict[str, Any]],
    first_name: str | None = None,
    contact: str | None = None,
    best_time: str | None = None,
    consent: bool = False,
    directory: Directory | None = None,
    language: str | None = None,
    needs_spanish_speaker: bool = False,
) -> NewEscalation:
    contact_value = given(contact)
    return NewEscalation(
        idempotency_key=f"{sender_id}:{reason}:{trigger.get('message_id') or trigger.get('timestamp')}",
        channel=channel or "unknown",
        conversation_id=sender_id,
        reason=reason,
        triggering_message=trigger.get("text") or "",
        transcript=transcript_from_events(events),
        first_name=given(first_name),
        contact_phone=contact_value if contact_value.startswith("+") else "",
        contact_email=contact_value if "@" in contact_value else "",
        best_time=given(best_time),
        consent=bool(consent) and bool(contact_value),
        clinic=clinic_discussed(events, directory) if directory else "",
        language=language or "en",
        needs_spanish_speaker=needs_spanish_speaker or language == "es",
    )


def next_steps_values(
    directory: Directory, first_name: str | None, now: datetime | None = None, language: str = "en"
) -> dict[str, str]:
    """What the "escalation_recorded" message needs: thanks, and when staff will call."""
    moment = local_now(directory, now)
    window = next_callback_window(directory, moment)
    name = given(first_name)
    thanks = message("thanks_named", None, language, first_name=name) if name else message("thanks", None, language)
    return {"thanks": thanks["text"], "when": window.describe(moment.date(), language)}
