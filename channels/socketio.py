"""The website chat channel: Rasa's socket.io protocol with server-signed sessions.

Rasa's own SocketIOInput lets a client name any session id, on every message. Here the
server issues each visitor a signed token (clinic.web_sessions); a socket is bound to the
conversation of the token it presented, so a page reload or a second tab continues the same
conversation, and nobody can join or read another's. On joining, the socket gets the
conversation's history, so a reload shows it again.

The staff console delivers its replies through ``POST /webhooks/socketio/staff_message``
(protected by the Rasa API token): the message goes to the visitor's open tabs, and the
answer says whether any was connected.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, Request, response
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.guard import MAX_MESSAGE_LENGTH, conversation_language, guard_handler
from clinic.language import session_language, widget_strings
from clinic.rasa_api import token_matches
from clinic.transcript import transcript_from_events
from clinic.web_sessions import issue_session, verify_session

logger = logging.getLogger(__name__)


def allowed_origins() -> list[str]:
    configured = os.environ.get("WIDGET_ALLOWED_ORIGINS", "http://localhost:8080,http://127.0.0.1:8080")
    return [origin.strip() for origin in configured.split(",") if origin.strip()]


class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        return cls()

    def __init__(self) -> None:
        self.sio: AsyncServer | None = None
        self._conversations: dict[str, str] = {}  # socket id -> conversation id
        self._languages: dict[str, str] = {}  # socket id -> the widget's language setting
        self._shown: dict[str, str] = {}  # socket id -> the language its interface was last given
        self._app: Any = None

    def get_output_channel(self) -> SocketIOOutput | None:
        return SocketIOOutput(self.sio, "bot_uttered") if self.sio else None

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app else None

    async def _show_language(self, sio: AsyncServer, sid: str, conversation_id: str) -> None:
        """Gives the widget its interface words in the conversation's language when it changed.

        A conversation without a language yet shows the widget's setting (content/widget_strings.yml).
        """
        language = await conversation_language(conversation_id, self._agent, default=self._languages.get(sid, "en"))
        if self._shown.get(sid) != language:
            self._shown[sid] = language
            await sio.emit("language", {"language": language, "strings": widget_strings(language)}, room=sid)

    async def _history(self, conversation_id: str) -> list[dict[str, Any]]:
        agent = self._agent()
        tracker = await agent.tracker_store.retrieve(conversation_id) if agent else None
        if tracker is None:
            return []
        return [
            {"role": turn["role"], "text": turn["text"]}
            for turn in transcript_from_events(event.as_dict() for event in tracker.events)
        ]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=allowed_origins())
        webchat = SocketBlueprint(sio, "/socket.io", "webchat_socketio", __name__)
        self.sio = sio
        handler = guard_handler(on_new_message, self._agent)

        @webchat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webchat.route("/staff_message", methods=["POST"])
        async def staff_message(request: Request) -> HTTPResponse:
            if not token_matches(request.args.get("token")):
                return response.json({"error": "a valid token is required"}, status=401)
            try:
                body = request.json
            except SanicException:
                body = None
            conversation_id = body.get("conversation_id") if isinstance(body, dict) else None
            text = body.get("text") if isinstance(body, dict) else None
            if not isinstance(conversation_id, str) or not isinstance(text, str) or not text.strip():
                return response.json({"error": "conversation_id and text are required"}, status=400)
            delivered = conversation_id in self._conversations.values()
            if delivered:
                await sio.emit("bot_uttered", {"text": text[:MAX_MESSAGE_LENGTH], "staff": True}, room=conversation_id)
            logger.info("event=webchat.staff_message conversation_id=%s delivered=%s", conversation_id, delivered)
            return response.json({"delivered": delivered})

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            request = environ.get("sanic.request")
            if request is not None:
                self._app = request.app
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self._conversations.pop(sid, None)
            self._languages.pop(sid, None)
            self._shown.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: dict | None = None) -> None:
            token = (data or {}).get("session_id")
            # The widget's `language` setting: the first language of a new conversation.
            widget_language = session_language(data if isinstance(data, dict) else None)
            if widget_language:
                self._languages[sid] = widget_language
            conversation_id = verify_session(token)
            if conversation_id is None:
                token = issue_session()
                conversation_id = verify_session(token)
                history: list[dict[str, Any]] = []
            else:
                history = await self._history(conversation_id)
            self._conversations[sid] = conversation_id
            await sio.enter_room(sid, conversation_id)
            await sio.emit("session_confirm", token, room=sid)
            await sio.emit("history", history, room=sid)
            await self._show_language(sio, sid, conversation_id)

        @sio.on("user_uttered")
        async def handle_message(sid: str, data: Any) -> None:
            conversation_id = self._conversations.get(sid)
            if conversation_id is None:
                await sio.emit("session_required", {}, room=sid)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str):
                text = ""
            message = UserMessage(
                text[:MAX_MESSAGE_LENGTH],
                SocketIOOutput(sio, "bot_uttered"),
                conversation_id,
                input_channel=self.name(),
                metadata={"language": self._languages[sid]} if sid in self._languages else None,
            )
            # Other tabs of the same visitor see what was typed in this one.
            await sio.emit("user_echo", {"text": message.text}, room=conversation_id, skip_sid=sid)
            await handler(message)
            await self._show_language(sio, sid, conversation_id)

        return webchat
