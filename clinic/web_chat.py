"""What the web chat widget receives: its greeting settings, each answer as one message, and the history.

The widget groups the messages of one answer into one bubble, renders a small Markdown subset,
links the references of FAQ answers and offers "Was this helpful?" on them. For that, each bot
message carries the name of the response it came from, its time, its buttons, and the
references of content/sources.yml (the plain-text citation line is taken off).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clinic.directory import Brand
from clinic.ratings import ratings_from_events
from clinic.responses import variation_language
from clinic.sources import sources_for, without_citation
from clinic.staff_mode import NOTICE_METADATA, StaffMember
from clinic.transcript import STAFF_METADATA, event_buttons, shown_text

# Session metadata from the web channel: the widget's greeting card shows the not-medical-advice
# note, so the session's opening message leaves it out (it would be said twice).
DISCLAIMER_SHOWN_METADATA = "disclaimer_shown"


def widget_settings(brand: Brand | None, disclaimer: str) -> dict[str, Any]:
    """The greeting card's contents and the numbers the widget links, from the clinic configuration."""
    settings: dict[str, Any] = {"disclaimer": disclaimer}
    if brand is not None:
        settings |= {
            "clinicName": brand.name,
            "assistantName": brand.assistant_name,
            "intro": brand.intro,
            "phone": brand.phone,
            "sms": brand.sms,
            "email": brand.email,
            "suggestions": list(brand.suggestions),
        }
    return settings


def web_message(
    text: str,
    *,
    response: str | None = None,
    buttons: Iterable[dict[str, Any]] = (),
    at: float | None = None,
    staff: bool = False,
    staff_member: StaffMember | None = None,
    notice: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """One bot message as the widget receives it, live or in the history.

    ``language`` is the conversation's language (the language slot, "en" or "es") the message
    was written for: its references are the ones for a reader of that language (clinic/sources.py).
    A staff message carries ``staff`` and, when known, the author's name and role; a staff-mode
    notice (someone joined, the assistant is back) carries its kind.
    """
    sources = sources_for(response, language)
    message: dict[str, Any] = {
        "text": without_citation(text) if sources else text,
        "response": response,
        "at": at,
        "sources": sources,
        "quick_replies": [{"title": b["title"], "payload": b["payload"]} for b in buttons],
    }
    if staff:
        message["staff"] = True
    if staff_member is not None and staff:
        message["staff_name"], message["staff_role"] = staff_member.name, staff_member.role
    if notice:
        message["notice"] = notice
    return message


def web_history(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The visitor's and the bot's messages of a conversation (Rasa events as dicts), oldest first.

    A pressed button shows as its title; an answer already rated carries the rating, so the
    widget does not offer it again after a reload. An answer's references are in the language it
    was written in: its variation's, else the conversation's language slot at that point.
    """
    events = list(events)
    language: str | None = None
    rated = {(r["response"], r["answer_at"]): r["value"] for r in ratings_from_events(events)}
    history: list[dict[str, Any]] = []
    offered: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        text = event.get("text") or ""
        if kind == "slot" and event.get("name") == "language":
            language = event.get("value") if isinstance(event.get("value"), str) else None
        elif kind == "user":
            history.append({"role": "user", "text": shown_text(text, offered), "at": event.get("timestamp")})
        elif kind == "bot":
            buttons = event_buttons(event)
            if buttons:
                offered = buttons
            metadata = event.get("metadata") or {}
            response = metadata.get("utter_action")
            message = web_message(
                text,
                response=response,
                buttons=buttons,
                at=event.get("timestamp"),
                staff=bool(metadata.get(STAFF_METADATA)),
                staff_member=StaffMember.from_metadata(metadata),
                notice=metadata.get(NOTICE_METADATA),
                language=variation_language(metadata) or language,
            )
            message["role"] = "bot"
            if (response, event.get("timestamp")) in rated:
                message["rated"] = rated[(response, event.get("timestamp"))]
            history.append(message)
    return history
