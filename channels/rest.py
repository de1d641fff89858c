"""The public REST channel: Rasa's RestInput with input checks and the typed-command screen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Request
from sanic.exceptions import InvalidUsage

from channels.guard import MAX_MESSAGE_LENGTH, guard_handler, remember_agent

MAX_SENDER_LENGTH = 128


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        body = req.json
        sender = body.get("sender") if isinstance(body, dict) else None
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
            raise InvalidUsage("'sender' must be a non-empty string of at most 128 characters")
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = req.json.get("message")
        if message is None:
            return ""
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string")
        if len(message) > MAX_MESSAGE_LENGTH:
            raise InvalidUsage(f"'message' must be at most {MAX_MESSAGE_LENGTH} characters")
        return message

    def _extract_input_channel(self, req: Request) -> str:
        # Clients must not pick another channel's identity (and its response variants).
        return self.name()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return remember_agent(super().blueprint(guard_handler(on_new_message)))
