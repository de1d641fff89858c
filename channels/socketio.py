"""The website chat channel: Rasa's socket.io protocol with server-signed sessions.

Rasa's own SocketIOInput lets a client name any session id, on every message. Here the
server issues each visitor a signed token (clinic.web_sessions); a socket is bound to the
conversation of the token it presented, so a page reload or a second tab continues the same
conversation, and nobody can join or read another's. On joining, the socket gets the widget's
settings (brand, greeting, suggestions: clinic.web_chat) and the conversation's history, so a
reload shows it again.

Each bot message goes out whole, with its response's name, time, buttons and references
(Rasa's own output splits a text at every blank line, so one answer arrived as six messages).
A visitor's message is acknowledged once handled, and a message id seen again (a retry after
a lost acknowledgement) is acknowledged without being handled twice. "Was this helpful?"
ratings arrive as ``rate`` events and are appended to the conversation's tracker.

Rasa's ``--cors`` adds Access-Control-Allow-Origin to every response, and python-socketio adds
its own to the socket.io ones: a browser refuses a response with two. The socket.io routes are
left to python-socketio (it also checks the Origin of websocket connections), the rest to Rasa.

Each message counts against the limits of its client address and conversation
(clinic/rate_limit.py); one over them is not handled, and the visitor is told so (a reply, a
``rate_limited`` event carrying the refused text, and an acknowledgement saying when to retry).

The staff console delivers its messages through ``POST /webhooks/socketio/staff_message`` and
asks whether the visitor is here through ``POST /webhooks/socketio/presence`` (both protected by
the Rasa API token). Both emit to the conversation's room with an acknowledgement: each open tab
answers whether its chat panel is open, so the console learns the truth (shown in an open
panel, delivered to a tab whose panel is closed, or nobody connected) from the browsers
themselves. With ``REDIS_HOST`` set (production mode) the socket.io server uses python-socketio's
Redis manager, so rooms, emits and acknowledgements reach tabs connected to any replica.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.shared.core.events import SlotSet
from sanic import Blueprint, Request, Sanic, response
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncRedisManager, AsyncServer

from channels.guard import MAX_MESSAGE_LENGTH, client_address, conversation_language, guard_handler
from clinic.directory import default_directory
from clinic.language import session_language, widget_strings
from clinic.messages import message as clinic_message
from clinic.rasa_api import token_matches
from clinic.rate_limit import ChatLimits, RateLimiter
from clinic.ratings import RATING_SLOT, RatingError, rating_for
from clinic.responses import response_variation, variation_language
from clinic.staff_mode import StaffMember
from clinic.web_chat import DISCLAIMER_SHOWN_METADATA, web_history, web_message, widget_settings
from clinic.web_sessions import issue_session, verify_session

logger = logging.getLogger(__name__)
# The latest message ids remembered (all conversations) to recognise a retried message: a retry
# follows its original within seconds, long before this many other messages arrive.
REMEMBERED_MESSAGE_IDS = 10_000
# How long a staff message or a presence check waits for an open tab to answer: a connected tab
# holds a pending long-poll and answers in milliseconds, also through Redis from another replica.
ACK_WAIT_SECONDS = float(os.environ.get("WIDGET_ACK_WAIT_SECONDS", "1.0"))
# After the first answer, how long other tabs of the same visitor get to answer too.
ACK_GRACE_SECONDS = 0.15


def allowed_origins() -> list[str]:
    """WIDGET_ALLOWED_ORIGINS, else the origins Rasa's --cors allows (RASA_CORS_ORIGINS), else the demo site's."""
    configured = (
        os.environ.get("WIDGET_ALLOWED_ORIGINS")
        or os.environ.get("RASA_CORS_ORIGINS")
        or "http://localhost:8080,http://127.0.0.1:8080"
    )
    return [origin.strip() for origin in configured.split(",") if origin.strip()]


def client_manager() -> AsyncRedisManager | None:
    """python-socketio's Redis manager when Redis is configured (production mode), else in-process."""
    host = os.environ.get("REDIS_HOST")
    if not host:
        return None
    password = os.environ.get("REDIS_PASSWORD", "")
    auth = f":{password}@" if password else ""
    port, db = os.environ.get("REDIS_PORT", "6379"), os.environ.get("REDIS_DB", "1")
    return AsyncRedisManager(f"redis://{auth}{host}:{port}/{db}", channel="clinic-webchat")


async def answers_from_tabs(sio: AsyncServer, event: str, data: dict[str, Any], room: str) -> list[dict[str, Any]]:
    """Emits to every tab of a conversation and collects their acknowledgements (none: nobody there)."""
    answers: list[dict[str, Any]] = []
    first = asyncio.Event()

    def answered(*args: Any) -> None:
        answers.append(args[0] if args and isinstance(args[0], dict) else {})
        first.set()

    await sio.emit(event, data, room=room, callback=answered)
    try:
        await asyncio.wait_for(first.wait(), ACK_WAIT_SECONDS)
    except TimeoutError:
        return []
    await asyncio.sleep(ACK_GRACE_SECONDS)
    return answers


def delivery_status(answers: list[dict[str, Any]]) -> str:
    """shown (an open panel), delivered (a tab with its panel closed: the launcher shows a badge) or queued."""
    if any(answer.get("panel_open") is True for answer in answers):
        return "shown"
    return "delivered" if answers else "queued"


class WebChatBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, with the socket.io routes' CORS headers left to python-socketio."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        path = self.ctx.socketio_path

        async def leave_cors_to_socketio(request: Request) -> None:
            if request.path.startswith(path):
                # sanic_cors (Rasa's --cors) skips a request it takes as already answered.
                setattr(request.ctx, SANIC_CORS_EVALUATED, "1")

        app.register_middleware(leave_cors_to_socketio, "request")
        super().register(app, options)


class WebChatOutput(SocketIOOutput):
    """Sends each bot message whole, as clinic.web_chat shapes it for the widget.

    Rasa passes the sent variation's keys along: its condition on the language slot is the
    conversation's language the answer was written for, and picks the answer's references.
    """

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(
            recipient_id,
            web_message(
                text,
                response=kwargs.get("utter_action"),
                at=kwargs.get("timestamp"),
                notice=kwargs.get("staff_notice"),
                language=variation_language(kwargs),
            ),
        )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        message = web_message(
            text,
            response=kwargs.get("utter_action"),
            buttons=_valid_buttons(buttons),
            at=kwargs.get("timestamp"),
            language=variation_language(kwargs),
        )
        await self._send_message(recipient_id, message)


def _staff_request(request: Request) -> tuple[dict[str, Any], HTTPResponse | None]:
    """The JSON body of a console request, or the error to answer with (bad token, no conversation)."""
    if not token_matches(request.args.get("token")):
        return {}, response.json({"error": "a valid token is required"}, status=401)
    try:
        body = request.json
    except SanicException:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("conversation_id"), str):
        return {}, response.json({"error": "conversation_id is required"}, status=400)
    return body, None


def _valid_buttons(buttons: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        b
        for b in buttons
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
    ]


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
        self._addresses: dict[str, str] = {}  # socket id -> client address
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()  # (conversation, message id)
        self._app: Any = None
        self.limiter = RateLimiter(ChatLimits.from_env())

    def get_output_channel(self) -> SocketIOOutput | None:
        return WebChatOutput(self.sio, "bot_uttered") if self.sio else None

    def _settings(self, language: str) -> dict[str, Any]:
        """The greeting card in the widget's language (its setting; English by default)."""
        agent = self._agent()
        responses = agent.domain.responses if agent and agent.domain else {}
        disclaimer = response_variation(responses, "utter_disclaimer", language, None)["text"] if responses else ""
        brand = default_directory().brand
        return widget_settings(brand.speaking(language) if brand else None, disclaimer)

    def _already_handled(self, conversation_id: str, message_id: Any) -> bool:
        """True for a message id this conversation sent before; remembers new ones."""
        if not isinstance(message_id, str) or not message_id:
            return False
        key = (conversation_id, message_id[:64])
        if key in self._seen:
            return True
        self._seen[key] = None
        if len(self._seen) > REMEMBERED_MESSAGE_IDS:
            self._seen.popitem(last=False)
        return False

    async def _record_rating(self, conversation_id: str, data: dict[str, Any]) -> dict[str, Any]:
        agent = self._agent()
        if agent is None:
            return {"ok": False, "error": "the assistant is starting"}
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None:
                return {"ok": False, "error": "the conversation holds no such answer"}
            try:
                value = rating_for(
                    (event.as_dict() for event in tracker.events),
                    data.get("response"),
                    data.get("at"),
                    data.get("value"),
                    data.get("reason"),
                )
            except RatingError as error:
                return {"ok": False, "error": str(error)}
            tracker.update(SlotSet(RATING_SLOT, value))
            await agent.tracker_store.save(tracker)
        logger.info(
            "event=webchat.rating conversation_id=%s response=%s value=%s reason=%s",
            conversation_id,
            value["response"],
            value["value"],
            value["reason"],
        )
        return {"ok": True}

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app else None

    async def _show_language(self, sio: AsyncServer, sid: str, conversation_id: str) -> str:
        """Gives the widget its interface words in the conversation's language when it changed.

        A conversation without a language yet shows the widget's setting (content/widget_strings.yml).
        """
        language = await conversation_language(conversation_id, self._agent, default=self._languages.get(sid, "en"))
        if self._shown.get(sid) != language:
            self._shown[sid] = language
            await sio.emit("language", {"language": language, "strings": widget_strings(language)}, room=sid)
        return language

    async def _history(self, conversation_id: str) -> list[dict[str, Any]]:
        agent = self._agent()
        tracker = await agent.tracker_store.retrieve(conversation_id) if agent else None
        if tracker is None:
            return []
        return web_history(event.as_dict() for event in tracker.events)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=allowed_origins(), client_manager=client_manager())
        webchat = WebChatBlueprint(sio, "/socket.io", "webchat_socketio", __name__)
        self.sio = sio
        handler = guard_handler(on_new_message, self._agent)

        @webchat.listener("after_server_start")
        async def start_client_manager(app: Sanic, _: Any) -> None:
            # python-socketio starts its manager (with the Redis listener) on the first socket
            # connection; a replica that no visitor has reached yet must already hear the
            # acknowledgements of the staff messages it sends to another replica's sockets.
            if not sio.manager_initialized:
                sio.manager_initialized = True
                sio.manager.initialize()

        @webchat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webchat.route("/staff_message", methods=["POST"])
        async def staff_message(request: Request) -> HTTPResponse:
            """A staff message or staff-mode notice for the visitor's open tabs, with what became of it."""
            body, error = _staff_request(request)
            if error:
                return error
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                return response.json({"error": "conversation_id and text are required"}, status=400)
            staff = body.get("staff") if isinstance(body.get("staff"), dict) else {}
            member = StaffMember.from_metadata({"staff_name": staff.get("name"), "staff_role": staff.get("role")})
            notice = body.get("notice") if isinstance(body.get("notice"), str) else None
            message = web_message(
                text[:MAX_MESSAGE_LENGTH], at=time.time(), staff=notice is None, staff_member=member, notice=notice
            )
            conversation_id = body["conversation_id"]
            status = delivery_status(await answers_from_tabs(sio, "bot_uttered", message, conversation_id))
            logger.info("event=webchat.staff_message conversation_id=%s status=%s", conversation_id, status)
            return response.json({"status": status, "delivered": status != "queued"})

        @webchat.route("/presence", methods=["POST"])
        async def presence(request: Request) -> HTTPResponse:
            """Whether the visitor has the chat open now (any replica), asked of the tabs themselves."""
            body, error = _staff_request(request)
            if error:
                return error
            answers = await answers_from_tabs(sio, "presence", {}, body["conversation_id"])
            panel_open = any(answer.get("panel_open") is True for answer in answers)
            return response.json({"connected": bool(answers), "panel_open": panel_open})

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            request = environ.get("sanic.request")
            if request is not None:
                self._app = request.app
                self._addresses[sid] = client_address(request)
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self._conversations.pop(sid, None)
            self._languages.pop(sid, None)
            self._shown.pop(sid, None)
            self._addresses.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            if data is not None and not isinstance(data, dict):
                await sio.emit(
                    "session_error", {"error": "session_request takes an object: {session_id: <token>}"}, room=sid
                )
                return
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
            # The interface words first, so the greeting card is drawn in the conversation's language.
            language = await self._show_language(sio, sid, conversation_id)
            await sio.emit("widget_config", self._settings(language), room=sid)
            await sio.emit("session_confirm", token, room=sid)
            await sio.emit("history", history, room=sid)

        @sio.on("user_uttered")
        async def handle_message(sid: str, data: Any) -> dict[str, Any]:
            """Handles one message; the return value is the acknowledgement the widget waits for."""
            conversation_id = self._conversations.get(sid)
            if conversation_id is None:
                await sio.emit("session_required", {}, room=sid)
                return {"ok": False, "error": "session required"}
            data = data if isinstance(data, dict) else {}
            text = data.get("message")
            if not isinstance(text, str):
                text = ""
            wait = self.limiter.admit(self._addresses.get(sid, ""), conversation_id)
            if wait is not None:
                logger.warning("event=webchat.rate_limited conversation_id=%s", conversation_id)
                await self._refuse_for_now(sio, sid, text[:MAX_MESSAGE_LENGTH], wait)
                return {"ok": False, "error": "rate limited", "retry_after": wait}
            if self._already_handled(conversation_id, data.get("id")):
                return {"ok": True}
            message = UserMessage(
                text[:MAX_MESSAGE_LENGTH],
                WebChatOutput(sio, "bot_uttered"),
                conversation_id,
                input_channel=self.name(),
                metadata={
                    DISCLAIMER_SHOWN_METADATA: True,
                    **({"language": self._languages[sid]} if sid in self._languages else {}),
                },
            )
            # Other tabs of the same visitor see what was typed in this one.
            shown = data.get("shown") if isinstance(data.get("shown"), str) else message.text
            await sio.emit("user_echo", {"text": shown[:MAX_MESSAGE_LENGTH]}, room=conversation_id, skip_sid=sid)
            await handler(message)
            await self._show_language(sio, sid, conversation_id)
            return {"ok": True}

        @sio.on("rate")
        async def rate(sid: str, data: Any) -> dict[str, Any]:
            conversation_id = self._conversations.get(sid)
            if conversation_id is None:
                return {"ok": False, "error": "session required"}
            return await self._record_rating(conversation_id, data if isinstance(data, dict) else {})

        return webchat

    async def _refuse_for_now(self, sio: AsyncServer, sid: str, text: str, wait: float) -> None:
        """Tells the socket its message was not handled: a reply for people, an event for programs."""
        language = self._shown.get(sid) or self._languages.get(sid, "en")
        notice = clinic_message("chat_rate_limited", self.name(), language, phone=default_directory().group_phone)
        await sio.emit("rate_limited", {"text": text, "retry_after": wait}, room=sid)
        await sio.emit("bot_uttered", notice, room=sid)
