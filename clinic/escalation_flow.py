"""Decisions of the contact form and the escalation, kept apart from rasa_sdk for testing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clinic.contact import DECLINED, clean_first_name, is_cancel, is_decline, parse_contact
from clinic.conversation.best_time import callback_within, closest_callback, parse_best_time
from clinic.conversation_ids import conversation_channel
from clinic.directory import Directory
from clinic.escalations import NewEscalation
from clinic.finder import clinic_named
from clinic.hours import local_now, next_callback_window
from clinic.messages import message
from clinic.transcript import transcript_from_events

# Consent to be contacted is explicit: the offered button (its payload) or one of these whole
# answers, in English or Spanish. "ok?", "k", "hmm" or "sure why not" are asked again.
CONSENT_PAYLOADS = {"/affirm": True, "/deny": False}
CONSENT_YES = {
    *("yes", "yeah", "yep", "yes please", "yes i agree", "i agree", "agree", "i consent", "yes i consent"),
    *("sí", "si", "sí por favor", "si por favor", "sí acepto", "si acepto", "acepto", "de acuerdo"),
    *("estoy de acuerdo", "sí estoy de acuerdo", "si estoy de acuerdo", "doy mi consentimiento"),
}
CONSENT_NO = {
    *("no", "nope", "nah", "no thanks", "no thank you", "i don't agree", "i do not agree", "i disagree"),
    *("no gracias", "no acepto", "no estoy de acuerdo", "no quiero"),
}
# After this many answers that are neither, the form ends and nothing is kept.
MAX_UNCLEAR_CONSENT = 2
CONSENT_PUNCTUATION = re.compile(r"[,.!¡]+")


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


def answer_consent(text: str, unclear_before: int = 0) -> Answer:
    """The visitor's answer ``text`` (as typed, or a button's payload) to the consent question.

    ``unclear_before`` counts the earlier answers that were neither yes nor no; the last allowed
    unclear answer ends the form with "consent_unclear" (nothing kept).
    """
    stripped = text.strip()
    if stripped in CONSENT_PAYLOADS:
        return Answer(CONSENT_PAYLOADS[stripped])
    if is_cancel(stripped):
        return Answer(cancelled=True)
    words = " ".join(CONSENT_PUNCTUATION.sub(" ", stripped.lower()).split())
    if words in CONSENT_YES:
        return Answer(True)
    if words in CONSENT_NO or is_decline(stripped):
        return Answer(False)
    if unclear_before + 1 >= MAX_UNCLEAR_CONSENT:
        return Answer(cancelled=True, problem="consent_unclear")
    return Answer(problem="invalid_consent")


def remaining_slots(contact: str | None) -> list[str]:
    """Without a way to reach the visitor there is nothing to time or consent to."""
    if contact == DECLINED:
        return ["first_name", "contact"]
    return ["first_name", "contact", "best_time", "consent"]


def given(value: str | None) -> str:
    return "" if value in (None, DECLINED) else str(value)


def latest_input_channel(events: list[dict[str, Any]]) -> str | None:
    """The channel Rasa recorded on the conversation's latest user message."""
    return next((e.get("input_channel") for e in reversed(events) if e.get("event") == "user"), None)


def typed_by_visitor(contact: str, events: list[dict[str, Any]]) -> bool:
    """Whether a user message of the conversation gave ``contact``: a stored detail must come from one."""
    for event in events:
        if event.get("event") == "user" and isinstance(event.get("text"), str):
            details = parse_contact(event["text"])
            if details and contact in (details.phone, details.email):
                return True
    return False


def recorded_trigger(trigger: Any, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``trigger`` (a slot) when it names a user message the conversation really holds, else None."""
    if not isinstance(trigger, dict) or not trigger.get("message_id"):
        return None
    for event in events:
        if event.get("event") == "user" and event.get("message_id") == trigger["message_id"]:
            return {
                "text": event.get("text") or "",
                "message_id": trigger["message_id"],
                "timestamp": event.get("timestamp"),
            }
    return None


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
    trigger: dict[str, Any],
    events: list[dict[str, Any]],
    first_name: str | None = None,
    contact: str | None = None,
    best_time: str | None = None,
    consent: bool = False,
    directory: Directory | None = None,
    language: str | None = None,
    needs_spanish_speaker: bool = False,
    own_number: str | None = None,
) -> NewEscalation:
    """The escalation of a conversation, from what Rasa's tracker holds (``events``).

    The channel is the one Rasa recorded, and only when the conversation id is one it issues; a
    contact detail no user message gave is left out, except ``own_number``: over SMS, the number
    the visitor texts from, when they said "use this number".
    """
    contact_value = given(contact)
    if contact_value and contact_value != own_number and not typed_by_visitor(contact_value, events):
        contact_value = ""
    return NewEscalation(
        idempotency_key=f"{sender_id}:{reason}:{trigger.get('message_id') or trigger.get('timestamp')}",
        channel=conversation_channel(sender_id, latest_input_channel(events)),
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
    directory: Directory,
    first_name: str | None,
    now: datetime | None = None,
    best_time: str | None = None,
    language: str = "en",
) -> dict[str, str]:
    """What the "escalation_recorded" message needs: thanks, and when staff will call.

    The call is promised within the best time the visitor gave, when the clinics are open then
    (clinic/conversation/best_time.py); otherwise at the closest time they are, saying so.
    """
    moment = local_now(directory, now)
    wanted = parse_best_time(given(best_time), moment.date())
    if wanted.understood:
        callback = callback_within(directory, wanted, moment)
        if callback is not None:
            when = callback.describe(moment.date(), language)
        else:
            closest = closest_callback(directory, wanted, moment).describe(moment.date(), language)
            when = message("callback_closest", None, language, when=closest)["text"]
    else:
        when = next_callback_window(directory, moment).describe(moment.date(), language)
    name = given(first_name)
    thanks = message("thanks_named", None, language, first_name=name) if name else message("thanks", None, language)
    return {"thanks": thanks["text"], "when": when}
