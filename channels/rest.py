"""The REST channel, for integrations: Rasa's RestInput behind a token, with input checks and limits.

REST has no session of its own: the caller names the conversation (``sender``). So it is not a
public door: every call carries ``Authorization: Bearer <REST_CHANNEL_TOKEN>``, which only the
clinic's own integrations hold (visitors use the web chat, with its server-signed sessions, or
SMS). Ids are checked (clinic/conversation_ids.py: a safe character set; ``web-`` and ``sms-``
belong to those channels), and each client address and conversation is limited
(clinic/rate_limit.py), with a 429 and Retry-After when over.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Request, response
from sanic.exceptions import InvalidUsage
from sanic.response import HTTPResponse

from channels.guard import MAX_MESSAGE_LENGTH, client_address, guard_handler, remember_agent
from clinic.conversation_ids import chosen_id_problem
from clinic.local_secrets import local_secret
from clinic.rate_limit import ChatLimits, RateLimiter


def rest_token() -> str:
    return local_secret("REST_CHANNEL_TOKEN", "rest-channel-token")


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self) -> None:
        self.token = rest_token()
        self.limiter = RateLimiter(ChatLimits.from_env())

    def _refusal(self, request: Request) -> HTTPResponse | None:
        """The answer to a call that may not reach Rasa, or None."""
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not hmac.compare_digest(presented.strip().encode(), self.token.encode()):
            return response.json(
                {"error": "the REST channel needs Authorization: Bearer <REST_CHANNEL_TOKEN>"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body = request.json
        sender = body.get("sender") if isinstance(body, dict) else None
        problem = chosen_id_problem(sender)
        if problem:
            return response.json({"error": problem}, status=400)
        wait = self.limiter.admit(client_address(request), sender)
        if wait is not None:
            return response.json(
                {"error": "too many messages: try again later", "retry_after": wait},
                status=429,
                headers={"Retry-After": str(int(wait))},
            )
        return None

    async def _extract_sender(self, req: Request) -> str | None:
        return req.json["sender"]  # checked by _refusal before the route runs

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
        blueprint = super().blueprint(guard_handler(on_new_message))

        @blueprint.on_request
        async def refuse(request: Request) -> HTTPResponse | None:
            if request.method == "POST" and request.path.endswith("/webhook"):
                return self._refusal(request)
            return None

        return remember_agent(blueprint)
