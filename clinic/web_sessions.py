"""Signed session tokens for the website chat: unguessable ids that only the server can issue.

A token is "<conversation id>.<signature>". The conversation id alone (as stored by Rasa)
cannot be used to join or read a conversation; the signature proves the server issued it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from pathlib import Path

PREFIX = "web-"


def _key() -> bytes:
    configured = os.environ.get("WIDGET_SESSION_KEY")
    if configured:
        return configured.encode()
    var_dir = Path(os.environ.get("CLINIC_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    path = var_dir / "widget-session-key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip().encode()


def _sign(conversation_id: str) -> str:
    return hmac.new(_key(), conversation_id.encode(), hashlib.sha256).hexdigest()


def issue_session() -> str:
    conversation_id = f"{PREFIX}{uuid.uuid4().hex}"
    return f"{conversation_id}.{_sign(conversation_id)}"


def verify_session(token: str | None) -> str | None:
    """The conversation id of a token the server issued, or None."""
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    conversation_id, signature = token.split(".")
    if not conversation_id.startswith(PREFIX) or not hmac.compare_digest(_sign(conversation_id), signature):
        return None
    return conversation_id
