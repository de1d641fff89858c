"""Applies the typed-command screen to an input channel's messages before Rasa sees them."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, Request

from clinic.commands import COMMAND_PREFIX, offered_payloads, screen_typed_command
from clinic.language import OPENING_LANGUAGE_METADATA, LanguageIdentifier
from clinic.safety import CRISIS_FIRST_METADATA
from clinic.safety.corpus import NONE
from clinic.safety.decision import CrisisDetector

# Longer messages are cut (socket.io, SMS) or refused (REST): the NLU's work grows faster than the
# text, and one 300,000-character message held the server's only event loop for 27 s (`make bench`).
MAX_MESSAGE_LENGTH = 20_000

# JSON can carry a lone UTF-16 surrogate ("\ud800"), UTF-8 cannot: spaCy and the tracker store fail on one.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_current_agent: ContextVar[Any | None] = ContextVar("current_agent", default=None)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


def encodable_text(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, so the rest of the message is understood."""
    return LONE_SURROGATE.sub("\ufffd", text)


async def screened_text(agent: Any, sender_id: str, text: str) -> str:
    """The text to hand to Rasa for a message typed by ``sender_id``."""
    if not text.strip().startswith(COMMAND_PREFIX):
        return text
    tracker = await agent.tracker_store.retrieve(sender_id) if agent else None
    events = tracker.events if tracker else []
    offered = offered_payloads(e.data for e in events if isinstance(e, BotUttered))
    return screen_typed_command(text, offered)


def guard_handler(
    on_new_message: MessageHandler, current_agent: Callable[[], Any | None] = _current_agent.get
) -> MessageHandler:
    """Wraps a channel's handler; ``current_agent`` finds the serving agent (default: per request)."""

    async def handle(message: UserMessage) -> Any:
        if message.text:
            text = encodable_text(message.text)
            message.text = await screened_text(current_agent(), message.sender_id, text)
            if CrisisDetector.load().decide(message.text).outcome != NONE:
                # Tells a new session to skip its opening note, so 988/911 (or the direct
                # question, with 988) is the first reply. The same cached detector as the NLU's.
                message.metadata = {**(message.metadata or {}), CRISIS_FIRST_METADATA: True}
            # A new session's note goes out before the message is parsed: it needs the language now
            # ("" when the message does not tell; the key also marks a visitor's message).
            language = LanguageIdentifier.load().detect(message.text).language or ""
            message.metadata = {**(message.metadata or {}), OPENING_LANGUAGE_METADATA: language}
        return await on_new_message(message)

    return handle


async def conversation_language(
    sender_id: str, current_agent: Callable[[], Any | None] = _current_agent.get, default: str = "en"
) -> str:
    """The language slot of ``sender_id``'s conversation, ``default`` when it has none yet."""
    agent = current_agent()
    tracker = await agent.tracker_store.retrieve(sender_id) if agent else None
    return (tracker.get_slot("language") if tracker else None) or default


def client_address(request: Request) -> str:
    """The caller's address: a trusted proxy's forwarded one when Sanic is told of one (PROXIES_COUNT)."""
    return request.remote_addr or request.ip


def remember_agent(blueprint: Blueprint) -> Blueprint:
    """Makes the serving app's agent visible to ``guard_handler`` during each request."""

    @blueprint.on_request
    async def _remember(request: Request) -> None:
        _current_agent.set(getattr(request.app.ctx, "agent", None))

    return blueprint
