"""JSON text the standard library reads back to the same data, written with ``ujson``'s speed.

The message path writes JSON several times a message (each stored event, each action-server
call); ``json.dumps`` was a measurable part of the server's CPU. For the JSON types the text
decodes to what ``json.dumps`` would have given; anything ``ujson`` cannot encode (NaN, objects
the standard encoder refuses too) goes to the standard encoder, which encodes it or raises as
before.
"""

from __future__ import annotations

import json
from typing import Any

import ujson


def ujson_text(data: Any) -> str:
    """``data`` as compact JSON (UTF-8 characters kept, "/" unescaped); raises for what ujson cannot encode."""
    return ujson.dumps(data, ensure_ascii=False, escape_forward_slashes=False)


def json_text(data: Any) -> str:
    """``data`` as JSON text, as ``json.loads`` reads it back."""
    try:
        return ujson_text(data)
    except (TypeError, OverflowError):
        return json.dumps(data)
