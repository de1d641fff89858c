"""Staff replies to the visitor: by SMS through the SMS channel's sender, or into the open web chat.

Every reply is kept (StaffReply) whatever became of it, and audited. A reply that reached the
conversation (sent by SMS, or for the web delivered or waiting for the visitor's return) is
appended to the Rasa tracker as a staff turn, so the conversation's history stays complete.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from django.db import transaction

from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.sms_render import render_sms
from clinic.sms_sender import SmsSettings, TwilioSender
from clinic.sms_state import SmsState
from staff.escalations.models import AuditAction, Delivery, Escalation, StaffReply
from staff.escalations.workflow import WorkflowError, audit, mark_acted

logger = logging.getLogger(__name__)
MAX_REPLY_LENGTH = 1000
SMS_CHANNELS = ("sms",)
WEB_CHANNELS = ("socketio",)
REACHED_VISITOR = (Delivery.SENT, Delivery.DELIVERED)
# Kept in the conversation's history: a web visitor who left sees it when they come back.
REACHED_CONVERSATION = (*REACHED_VISITOR, Delivery.NOT_CONNECTED)

DELIVERY_NOTICES = {
    Delivery.SENT: "Sent by SMS.",
    Delivery.DELIVERED: "Delivered to the visitor's open chat.",
    Delivery.NOT_CONNECTED: "The visitor is not connected, so they have not seen it. It is kept in the "
    "conversation and shown if they come back; call them if they left a number.",
    Delivery.FAILED: "The message could not be sent. It is kept here; try again or call them.",
    Delivery.OPTED_OUT: "This number has opted out of SMS (STOP), so nothing was sent. Call them instead.",
    Delivery.NO_NUMBER: "There is no phone number to text: the person did not leave one.",
}

SmsSend = Callable[[str, list[str], str], bool]


def send_sms_segments(to_number: str, segments: list[str], log_id: str) -> bool:
    """Sends the segments through the SMS channel's Twilio sender; True when every one was accepted."""
    settings = SmsSettings.from_env()
    if not settings.configured:
        logger.error("event=staff.reply_sms_not_configured escalation_id=%s", log_id)
        return False

    async def send_all() -> bool:
        sender = TwilioSender(settings)
        try:
            results = [await sender.send(to_number, segment, log_id) for segment in segments]
        finally:
            await sender.close()
        return all(sid is not None for sid in results)

    return asyncio.run(send_all())


def texted_from(escalation: Escalation, state: SmsState | None = None) -> str | None:
    """The number an SMS conversation came from, as the SMS channel keeps it for replies."""
    if escalation.channel not in SMS_CHANNELS:
        return None
    return (state or SmsState()).reply_address(escalation.conversation_id)


def _deliver_sms(escalation: Escalation, text: str, send_sms: SmsSend) -> str:
    state = SmsState()
    # The conversation's own number first: that is where the person is texting from right now.
    number = texted_from(escalation, state) or escalation.contact_phone
    if not number:
        return Delivery.NO_NUMBER
    if state.is_opted_out(escalation.conversation_id):
        return Delivery.OPTED_OUT
    segments = render_sms([{"text": text}]).segments
    return Delivery.SENT if send_sms(number, segments, str(escalation.id)) else Delivery.FAILED


def _deliver_web(escalation: Escalation, text: str, api: RasaApi) -> str:
    try:
        delivered = api.deliver_to_web_visitor(escalation.conversation_id, text)
    except RasaUnavailable:
        logger.error("event=staff.reply_web_unavailable escalation_id=%s", escalation.id)
        return Delivery.FAILED
    return Delivery.DELIVERED if delivered else Delivery.NOT_CONNECTED


def send_reply(
    user, escalation: Escalation, text: str, api: RasaApi, send_sms: SmsSend = send_sms_segments
) -> StaffReply:
    text = text.strip()
    if not text:
        raise WorkflowError("A reply cannot be empty.")
    if len(text) > MAX_REPLY_LENGTH:
        raise WorkflowError(f"A reply can have at most {MAX_REPLY_LENGTH} characters.")
    if escalation.channel in SMS_CHANNELS:
        delivery = _deliver_sms(escalation, text, send_sms)
    elif escalation.channel in WEB_CHANNELS:
        delivery = _deliver_web(escalation, text, api)
    else:
        # The REST channel has no way to push a message: the visitor only sees answers to their own.
        delivery = Delivery.NOT_CONNECTED
    in_tracker = False
    if delivery in REACHED_CONVERSATION:
        try:
            api.append_staff_turn(escalation.conversation_id, text, user.pk)
            in_tracker = True
        except RasaUnavailable:
            logger.error("event=staff.reply_tracker_unavailable escalation_id=%s", escalation.id)
    with transaction.atomic():
        reply = StaffReply.objects.create(
            escalation=escalation, author=user, text=text, delivery=delivery, in_tracker=in_tracker
        )
        mark_acted(escalation, [])
        audit(user, AuditAction.REPLY, escalation, f"reply {reply.pk} {delivery}")
    return reply
