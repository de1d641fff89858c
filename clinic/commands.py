"""Rasa's "/intent{entities}" shortcut, kept for the bot's own buttons only.

Rasa parses any message that starts with "/" as an intent, skipping NLU (and with it the
crisis screen), and "/restart" wipes the conversation. On public channels a visitor must
not be able to do that by typing, so typed text that starts with "/" is read as ordinary
text unless it is exactly a payload of a button the bot itself offered in this
conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

COMMAND_PREFIX = "/"


def offered_payloads(bot_messages: Iterable[Mapping[str, Any]]) -> set[str]:
    """Payloads of every button in the given bot messages (``BotUttered.data``)."""
    payloads: set[str] = set()
    for message in bot_messages:
        for button in message.get("buttons") or []:
            payload = button.get("payload")
            if isinstance(payload, str):
                payloads.add(payload.strip())
    return payloads


def screen_typed_command(text: str, offered: set[str]) -> str:
    """The text Rasa should process: offered payloads pass, other commands become text."""
    stripped = text.strip()
    if not stripped.startswith(COMMAND_PREFIX) or stripped in offered:
        return text
    return stripped.lstrip(COMMAND_PREFIX).strip()
