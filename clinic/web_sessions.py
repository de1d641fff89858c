"""Signed session tokens for the website chat: unguessable ids that only the server can issue.

A token is "<conversation id>.<signature>". The conversation id alone (as stored by Rasa)
cannot be used to join or read a conversation; the signature proves the server issued it.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from clinic.conversation_ids import WEB_PREFIX
from clinic.local_secrets import local_secret


def _sign(conversation_id: str) -> str:
    key = local_secret("WIDGET_SESSION_KEY", "widget-session-key").encode()
    return hmac.new(key, conversation_id.encode(), hashlib.sha256).hexdigest()


def issue_session() -> str:
    conversation_id = f"{WEB_PREFIX}{uuid.uuid4().hex}"
    return f"{conversation_id}.{_sign(conversation_id)}"


def verify_session(token: str | None) -> str | None:
    """The conversation id of a token the server issued, or None."""
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    conversation_id, signature = token.split(".")
    if not conversation_id.startswith(WEB_PREFIX) or not hmac.compare_digest(_sign(conversation_id), signature):
        return None
    return conversation_id
