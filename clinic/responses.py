"""Choosing a domain response's variation for a language, as Rasa's NLG does from the slot.

Needed where the language slot is not yet set when the text is rendered: the session start
sends its note before the events that set the slot are applied.
"""

from __future__ import annotations

from typing import Any

from clinic.messages import SMS_CHANNELS


def _language_of(variation: dict[str, Any]) -> str | None:
    conditions = variation.get("condition")
    for condition in conditions if isinstance(conditions, list) else []:
        if isinstance(condition, dict) and condition.get("type") == "slot" and condition.get("name") == "language":
            return condition.get("value")
    return None


def variation_language(message: dict[str, Any]) -> str | None:
    """The language a sent response was rendered for: its variation's condition on the language slot.

    Rasa keeps the variation's keys in the message it sends and in the bot event's metadata, so
    a channel can tell the language slot the answer was chosen with; None for a variation
    without a language condition (the English one) and for a text a custom action wrote.
    """
    return _language_of(message)


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
