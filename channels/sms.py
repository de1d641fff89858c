"""The SMS channel over Twilio: signed webhooks, once per MessageSid, async replies.

Twilio POSTs each incoming text to /webhooks/sms/webhook. The channel refuses a request
without an X-Twilio-Signature or with a body over MAX_WEBHOOK_BYTES before reading it (the
route streams its body, so Sanic does not read it first), checks the signature against the
deployment's public URL, answers at once with empty TwiML, and handles the message in the
background: the per-sender rate limit (every message counts), carrier keywords in English and
Spanish (clinic/sms_keywords.py), the consent ledger, picture messages, numbered replies to
menus, then Rasa, then the reply in at most three SMS segments through Twilio's REST API.

A number that opted out is still screened: its messages go to Rasa with the metadata flag
``sms_opted_out``, so a crisis is still detected and escalated, and nothing is texted back.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels.guard import MAX_MESSAGE_LENGTH, conversation_language, guard_handler, remember_agent
from clinic.directory import default_directory
from clinic.messages import message as clinic_message
from clinic.sms_keywords import read_keyword
from clinic.sms_render import render_sms
from clinic.sms_sender import SmsSettings, TwilioSender, conversation_id
from clinic.sms_state import SmsState

logger = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's fields for the longest text (1,600 characters, percent-encoded) and ten media links
# fit in a fraction of this; anything larger is not from Twilio and is not read.
MAX_WEBHOOK_BYTES = 64 * 1024
MENU_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
# Metadata of a message from a number that opted out: screened by Rasa, never answered by text.
OPTED_OUT_METADATA = "sms_opted_out"


def webhook_params(body: bytes) -> dict[str, str]:
    """The fields Twilio posted, blank ones included.

    Twilio signs every field, so dropping a blank one (as Sanic's ``request.form`` does, e.g. the
    empty Body of a picture sent without text) would turn a genuine request into a 403.
    """
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[0] for key, values in fields.items()}


async def limited_body(request: Request, limit: int) -> bytes | None:
    """The body of a streamed request, or None when it declares or turns out longer than ``limit``."""
    declared = request.headers.get("Content-Length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream:
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


class SmsOutput(CollectingOutputChannel):
    """Collects one turn's replies; its name selects the `channel: sms` response variants."""

    @classmethod
    def name(cls) -> str:
        return "sms"


class TwilioSmsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioSmsInput:
        return cls(SmsSettings.from_env())

    def __init__(self, settings: SmsSettings, state: SmsState | None = None) -> None:
        self.settings = settings
        self._state = state
        self.sender = TwilioSender(settings)
        self._tasks: set[asyncio.Task] = set()

    @property
    def state(self) -> SmsState:
        if self._state is None:
            self._state = SmsState()
        return self._state

    def _signature_valid(self, request: Request, params: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        return RequestValidator(self.settings.auth_token).validate(self.settings.public_url, params, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handler = guard_handler(on_new_message)
        sms = Blueprint("sms_webhook", __name__)

        @sms.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.configured else "not configured"})

        @sms.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.configured:
                return response.text("SMS is not configured", status=503)
            if not request.headers.get("X-Twilio-Signature"):
                logger.warning("event=sms.rejected_signature")
                return response.text("invalid signature", status=403)
            body = await limited_body(request, MAX_WEBHOOK_BYTES)
            if body is None:
                logger.warning("event=sms.rejected_size")
                return response.text("request too large", status=413)
            params = webhook_params(body)
            if not self._signature_valid(request, params):
                logger.warning("event=sms.rejected_signature")
                return response.text("invalid signature", status=403)
            sid = params.get("MessageSid", "")
            number = params.get("From", "")
            if not sid or not number:
                return response.text("MessageSid and From are required", status=400)
            if not await asyncio.to_thread(self.state.first_time, sid):
                logger.info("event=sms.duplicate message_sid=%s", sid)
                return response.text(EMPTY_TWIML, content_type="text/xml")
            # Cut like the web chat's messages (channels/guard.py): the NLU's work grows with the text.
            body = params.get("Body", "")[:MAX_MESSAGE_LENGTH]
            # Only whether there are pictures: a media URL is never kept, logged or passed on.
            pictures = params.get("NumMedia", "0") not in ("", "0")
            task = asyncio.create_task(self.process(handler, number, body, sid, pictures))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return remember_agent(sms)

    async def _send(self, number: str, sender: str, sid: str, segments: list) -> None:
        for segment in segments:
            if await self.sender.send(number, segment, sid) is None:
                await asyncio.to_thread(self.state.record_failed_send, sender, sid, segment, "send failed")

    async def _say(self, number: str, sender: str, sid: str, name: str, language: str = "en") -> None:
        directory = default_directory()
        text = clinic_message(name, "sms", language, clinic=directory.group_name, phone=directory.group_phone)["text"]
        await self._send(number, sender, sid, render_sms([{"text": text}]).segments)

    async def process(
        self, handler: Callable[[UserMessage], Awaitable[Any]], number: str, body: str, sid: str, pictures: bool
    ) -> None:
        sender = conversation_id(number)
        try:
            await asyncio.to_thread(self.state.remember_reply_address, sender, number)
            await self._process(handler, number, sender, body, sid, pictures)
        except Exception:  # a background task has no caller to raise to: log it with the message id
            logger.exception("event=sms.processing_failed message_sid=%s sender=%s", sid, sender)

    async def _process(self, handler, number: str, sender: str, body: str, sid: str, pictures: bool) -> None:
        state = self.state
        # Every message counts against the limit, keywords included; an opt-out is honoured anyway.
        allowed, tell = await asyncio.to_thread(
            state.admit, sender, self.settings.rate_limit, self.settings.rate_window
        )
        keyword = read_keyword(body)
        if keyword and keyword.kind == "stop":
            if await asyncio.to_thread(state.opt_out, sender, number, keyword.matched, keyword.language):
                logger.info("event=sms.opted_out message_sid=%s sender=%s", sid, sender)
                await self._say(number, sender, sid, "sms_stop_ack", keyword.language)
            return
        if not allowed:
            logger.warning("event=sms.rate_limited message_sid=%s sender=%s", sid, sender)
            if tell and not await asyncio.to_thread(state.is_opted_out, sender):
                await self._say(number, sender, sid, "sms_rate_limited", await conversation_language(sender))
            return
        if await asyncio.to_thread(state.is_opted_out, sender):
            if keyword and keyword.kind in ("start", "opt_in_when_opted_out"):
                await asyncio.to_thread(state.opt_in, sender, number, keyword.matched, keyword.language)
                logger.info("event=sms.opted_in message_sid=%s sender=%s", sid, sender)
                await self._say(number, sender, sid, "sms_start_ack", keyword.language)
            elif body.strip():
                await self._screen_silently(handler, sender, body, sid)
            return
        await asyncio.to_thread(state.note_first_text, sender, number)
        if keyword and keyword.kind == "start":
            await self._say(number, sender, sid, "sms_start_ack", keyword.language)
        elif keyword and keyword.kind == "help":
            await self._say(number, sender, sid, "sms_help", keyword.language)
        elif pictures and not body.strip():
            await self._say(number, sender, sid, "sms_picture", await conversation_language(sender))
        else:
            text = await self._menu_choice(sender, body)
            collector = SmsOutput()
            await handler(UserMessage(text, collector, sender, input_channel=self.name()))
            # Buttons become a numbered menu in the conversation's language, which this message may have set.
            reply = render_sms(collector.messages, await conversation_language(sender))
            await asyncio.to_thread(state.save_menu, sender, reply.menu_payloads)
            await self._send(number, sender, sid, reply.segments)

    async def _screen_silently(self, handler, sender: str, body: str, sid: str) -> None:
        """A message from an opted-out number still reaches the crisis screen; its answer is not sent.

        A crisis is escalated as usual; the console shows staff that the number opted out (call,
        do not text).
        """
        logger.info("event=sms.screened_opted_out message_sid=%s sender=%s", sid, sender)
        metadata = {OPTED_OUT_METADATA: True}
        await handler(UserMessage(body, SmsOutput(), sender, input_channel=self.name(), metadata=metadata))

    async def _menu_choice(self, sender: str, body: str) -> str:
        """A reply of "1", "2"... to a numbered menu becomes that button's payload."""
        choice = MENU_CHOICE.match(body)
        if not choice:
            return body
        payloads = await asyncio.to_thread(self.state.menu, sender)
        index = int(choice.group(1)) - 1
        return payloads[index] if 0 <= index < len(payloads) else body
