"""Conversation ids: the one definition of a well-formed id, checked wherever an id enters.

An id ends up in URL paths (the Rasa HTTP API's ``/conversations/<id>/...``), in database
rows and in log lines; a "/", "?" or "#" in it could point a request at another conversation,
so only a short, safe character set is accepted, and URLs still encode every id.
"""

from __future__ import annotations

import re
from urllib.parse import quote

MAX_LENGTH = 128
# Starts with a letter or digit (so never "." or ".."), then letters, digits and "_.:@+-".
_WELL_FORMED = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.:@+\-]{{0,{MAX_LENGTH - 1}}}")


class InvalidConversationId(ValueError):
    """The id has characters outside the safe set, or is empty or too long."""


def is_well_formed(conversation_id: object) -> bool:
    return isinstance(conversation_id, str) and _WELL_FORMED.fullmatch(conversation_id) is not None


def checked(conversation_id: object) -> str:
    """The id itself when it is well formed; InvalidConversationId otherwise."""
    if not is_well_formed(conversation_id):
        raise InvalidConversationId("a conversation id is 1-128 letters, digits or _.:@+- characters")
    return str(conversation_id)


def url_segment(conversation_id: str) -> str:
    """The id as one URL path segment: checked, then percent-encoded with nothing left safe."""
    return quote(checked(conversation_id), safe="")
