"""Choosing a domain response's variation for a language, as Rasa's NLG does from the slot.

Needed where the language slot is not yet set when the text is rendered: the session start
sends its note before the events that set the slot are applied.
"""

from __future__ import annotations

from typing import Any

from clinic.messages import SMS_CHANNELS


def _language_of(variation: dict[str, Any]) -> str | None:
    for condition in variation.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == "language":
            return condition.get("value")
    return None


def response_variation(
    responses: dict[str, list[dict[str, Any]]], name: str, language: str | None, channel: str | None
) -> dict[str, Any]:
    """The variation of response ``name`` for ``language`` and ``channel`` (English without one)."""
    variations = responses[name]
    wanted_channel = "sms" if channel in SMS_CHANNELS else None
    for want_language, want_channel in (
        (language, wanted_channel),
        (language, None),
        (None, wanted_channel),
        (None, None),
    ):
        for variation in variations:
            if _language_of(variation) == want_language and variation.get("channel") == want_channel:
                return variation
    return variations[0]
