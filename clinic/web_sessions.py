"""Signed session tokens for the website chat: unguessable ids that only the server can issue.

A token is "<conversation id>.<issued at>.<signature>". The conversation id alone (as stored by
Rasa) cannot be used to join or read a conversation; the signature proves the server issued
the token, and when. A token older than WIDGET_SESSION_DAYS (default 30) is refused, so a
browser left signed in does not keep a conversation open for ever: the visitor starts a new
one, and the old one stays in the tracker store for staff.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import uuid

from clinic.conversation_ids import WEB_PREFIX
from clinic.local_secrets import local_secret

DEFAULT_SESSION_DAYS = 30


def session_lifetime_seconds() -> float:
    return float(os.environ.get("WIDGET_SESSION_DAYS", DEFAULT_SESSION_DAYS)) * 86400


def _sign(conversation_id: str, issued: str) -> str:
    key = local_secret("WIDGET_SESSION_KEY", "widget-session-key").encode()
    return hmac.new(key, f"{conversation_id}.{issued}".encode(), hashlib.sha256).hexdigest()


def issue_session(now: float | None = None) -> str:
    conversation_id = f"{WEB_PREFIX}{uuid.uuid4().hex}"
    issued = str(int(time.time() if now is None else now))
    return f"{conversation_id}.{issued}.{_sign(conversation_id, issued)}"


def verify_session(token: str | None, now: float | None = None) -> str | None:
    """The conversation id of an unexpired token the server issued, or None."""
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    conversation_id, issued, signature = token.split(".")
    if not conversation_id.startswith(WEB_PREFIX) or not issued.isdigit():
        return None
    if not hmac.compare_digest(_sign(conversation_id, issued), signature):
        return None
    age = (time.time() if now is None else now) - int(issued)
    if not 0 <= age < session_lifetime_seconds():
        return None
    return conversation_id
