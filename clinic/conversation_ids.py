"""Conversation ids: which channel issues which, and what a caller may choose.

The web chat (``web-``) and the SMS channel (``sms-``) make their own ids; nobody else may use
those prefixes, so an id says which channel a conversation belongs to and a REST caller can
neither write into a website visitor's conversation nor pass for a texter. Ids a caller
chooses (REST) use a small character set, so they are safe in URLs, logs and file names.
"""

from __future__ import annotations

import re

WEB_PREFIX = "web-"
SMS_PREFIX = "sms-"
# The input channel (Rasa's name) that issues each reserved prefix.
CHANNEL_PREFIXES = {"socketio": WEB_PREFIX, "sms": SMS_PREFIX}
MAX_CHOSEN_LENGTH = 128
CHOSEN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


def chosen_id_problem(sender_id: object) -> str | None:
    """Why a caller-chosen conversation id is refused, or None when it may be used."""
    if not isinstance(sender_id, str) or not CHOSEN_ID.fullmatch(sender_id):
        return (
            f"'sender' must be 1 to {MAX_CHOSEN_LENGTH} characters: letters, digits and _ . : -"
            " (starting with a letter or digit)"
        )
    if sender_id.lower().startswith(tuple(CHANNEL_PREFIXES.values())):
        return "'sender' may not start with web- or sms-: those ids belong to the web chat and SMS"
    return None


def conversation_channel(sender_id: str, input_channel: str | None) -> str:
    """The channel a conversation really came in on, or "unknown" when the id and channel disagree.

    ``input_channel`` is what Rasa recorded on the conversation's latest user message.
    """
    channel = input_channel or ""
    reserved = CHANNEL_PREFIXES.get(channel)
    if reserved is not None:
        return channel if sender_id.startswith(reserved) else "unknown"
    if sender_id.lower().startswith(tuple(CHANNEL_PREFIXES.values())):
        return "unknown"
    return channel or "unknown"
