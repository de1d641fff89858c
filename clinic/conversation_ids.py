"""Conversation ids: which channel issues which, and what a caller may choose.

The web chat (``web-``) and the SMS channel (``sms-``) make their own ids; nobody else may use
those prefixes, so an id says which channel a conversation belongs to and a REST caller can
neither write into a website visitor's conversation nor pass for a texter. Ids a caller
chooses (REST) use a small character set, so they are safe in URLs, logs and file names.
"""

from __future__ import annotations

import re
from urllib.parse import quote

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


class InvalidConversationId(ValueError):
    """The id has characters outside the safe set, or is empty or too long."""


def is_well_formed(conversation_id: object) -> bool:
    """Any channel's id (issued or chosen) is of the chosen ids' safe character set."""
    return isinstance(conversation_id, str) and CHOSEN_ID.fullmatch(conversation_id) is not None


def checked(conversation_id: object) -> str:
    """The id itself when it is well formed; InvalidConversationId otherwise.

    Checked wherever an id enters a store or a URL: a "/", "?" or "#" in it could point a
    request at another conversation (``victim/tracker?x=``).
    """
    if not is_well_formed(conversation_id):
        raise InvalidConversationId(f"a conversation id is 1 to {MAX_CHOSEN_LENGTH} letters, digits or _ . : -")
    return str(conversation_id)


def url_segment(conversation_id: str) -> str:
    """The id as one URL path segment: checked, then percent-encoded with nothing left safe."""
    return quote(checked(conversation_id), safe="")
