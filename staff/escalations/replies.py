"""Staff replies to the visitor: by SMS through the SMS channel's sender, or into the open web chat.

Every reply is kept (StaffReply) whatever became of it, and audited. A reply that reached the
conversation (sent by SMS, or for the web shown, delivered or waiting for the visitor's return)
is appended to the Rasa tracker as a staff turn with its author's name and role, so the
conversation's history stays complete and a visitor who comes back sees who wrote. A reply sent
now puts the conversation in staff mode (staff/escalations/handoff.py) and assigns the
escalation to its author; an SMS reply is prefixed with the author's name.

SMS rules: nothing is texted to a destination number that opted out (checked by the number,
whichever conversation it came from), and outside 8 am-9 pm in the recipient's time zone a
reply waits for 8 am (durable, cancellable, sent by ``send_due_replies``) unless staff send it
now with a reason, which is audited. Replies on a crisis escalation are exempt.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import close_old_connections, transaction
from django.utils import timezone

from clinic import staff_mode
from clinic.quiet_hours import SendWindow, send_window
from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.sms_render import render_sms
from clinic.sms_sender import SmsSettings, TwilioSender, conversation_id
from clinic.sms_state import FIRST_TEXT, SmsState
from staff.escalations import handoff
from staff.escalations.models import AuditAction, Delivery, Escalation, Reason, StaffReply, Status
from staff.escalations.workflow import WorkflowError, assign_to, audit, mark_acted

logger = logging.getLogger(__name__)
MAX_REPLY_LENGTH = 1000
MAX_REASON_LENGTH = 150
SEND_AT_OPENING = "schedule"
SEND_NOW = "now"
SENDER_INTERVAL = 30.0  # seconds between looks for scheduled replies that are due
SMS_CHANNELS = ("sms",)
WEB_CHANNELS = ("socketio",)
REACHED_VISITOR = (Delivery.SENT, Delivery.SHOWN, Delivery.DELIVERED)
# What the web chat channel reports (the visitor's tabs acknowledge each staff message).
WEB_DELIVERY = {"shown": Delivery.SHOWN, "delivered": Delivery.DELIVERED, "queued": Delivery.NOT_CONNECTED}
# Kept in the conversation's history: a web visitor who left sees it when they come back.
REACHED_CONVERSATION = (*REACHED_VISITOR, Delivery.NOT_CONNECTED)

DELIVERY_NOTICES = {
    Delivery.SENT: "Sent by SMS: Twilio accepted it.",
    Delivery.SHOWN: "Shown in the visitor's open chat panel.",
    Delivery.DELIVERED: "Delivered to the visitor's chat, but its panel is closed: the launcher shows a badge.",
    Delivery.NOT_CONNECTED: "The visitor is not connected, so they have not seen it. It is queued in the "
    "conversation and shown with your name when they come back; call them if they left a number.",
    Delivery.FAILED: "The message could not be sent. It is kept here; try again or call them.",
    Delivery.OPTED_OUT: "This number has opted out of SMS (STOP), so nothing was sent. Call them instead.",
    Delivery.NO_NUMBER: "There is no phone number to text: the person did not leave one.",
    Delivery.SCHEDULED: "It is quiet hours for the recipient: the reply will be texted at 8 am their time. "
    "You can cancel it until then.",
    Delivery.CANCELLED: "The scheduled reply was cancelled; nothing was sent.",
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


def sms_destination(escalation: Escalation, state: SmsState | None = None) -> str | None:
    """Where an SMS reply goes: the conversation's own number first (where the person is texting
    from right now), else the number they left with consent."""
    return texted_from(escalation, state) or escalation.contact_phone or None


CONSENT_EVENT_LABELS = {
    "opt_in_first_text": "Opted in by texting the clinic first",
    "opt_out": "Opted out",
    "opt_in_again": "Opted in again",
}


@dataclass(frozen=True)
class ConsentRow:
    at: datetime
    label: str
    keyword: str  # empty for an opt-in by a first text (its message is not kept)
    language: str
    channel: str


@dataclass(frozen=True)
class TextingStatus:
    """What the console shows about a number before anyone types a reply."""

    number: str
    opted_out: bool
    history: list[ConsentRow]
    window: SendWindow | None  # None: quiet hours do not apply (crisis, or not an SMS reply)


def texting_status(escalation: Escalation, now: datetime, state: SmsState | None = None) -> TextingStatus | None:
    """The consent status, history and send window of the number a reply would text, if any."""
    state = state or SmsState()
    number = sms_destination(escalation, state) if escalation.channel in SMS_CHANNELS else escalation.contact_phone
    if not number:
        return None
    sender = conversation_id(number)
    exempt = escalation.channel not in SMS_CHANNELS or escalation.reason == Reason.CRISIS
    return TextingStatus(
        number=number,
        opted_out=state.is_opted_out(sender),
        history=[
            ConsentRow(
                at=datetime.fromtimestamp(event.at, UTC),
                label=CONSENT_EVENT_LABELS.get(event.event, event.event),
                keyword="" if event.keyword == FIRST_TEXT else event.keyword,
                language=event.language,
                channel=event.channel,
            )
            for event in state.consent_history(sender)
        ],
        window=None if exempt else send_window(number, now),
    )


def deliver_sms(escalation: Escalation, segments: list[str], send_sms: SmsSend = send_sms_segments) -> str:
    """Texts the segments to the conversation's number unless it opted out; returns the delivery."""
    state = SmsState()
    number = sms_destination(escalation, state)
    if not number:
        return Delivery.NO_NUMBER
    # By the number: a STOP from it holds whichever conversation the number came from.
    if state.is_opted_out(conversation_id(number)):
        return Delivery.OPTED_OUT
    return Delivery.SENT if send_sms(number, segments, str(escalation.id)) else Delivery.FAILED


def _deliver_sms(escalation: Escalation, text: str, send_sms: SmsSend, user) -> str:
    # The visitor's language is only known to Rasa; the prefix reads the same in both languages.
    segments = render_sms([{"text": staff_mode.sms_text(text, handoff.staff_member(user), "en")}]).segments
    return deliver_sms(escalation, segments, send_sms)


def _deliver_web(escalation: Escalation, text: str, api: RasaApi, user) -> str:
    try:
        status = api.deliver_to_web_visitor(escalation.conversation_id, text, staff=handoff.staff_member(user))
    except RasaUnavailable:
        logger.error("event=staff.reply_web_unavailable escalation_id=%s", escalation.id)
        return Delivery.FAILED
    return WEB_DELIVERY.get(status, Delivery.NOT_CONNECTED)


def _enter_staff_mode(user, escalation: Escalation, api: RasaApi, quiet_hours_reason: str) -> None:
    """A reply sent now means a person is in the conversation: the assistant steps back."""
    if escalation.status == Status.RESOLVED:
        return
    try:
        handoff.enter(user, escalation, api, quiet_hours_reason)
    except RasaUnavailable as error:
        # The reply still goes out (by SMS it can); the escalation is theirs either way.
        logger.error("event=staff.staff_mode_unavailable escalation_id=%s error=%s", escalation.id, error)
        assign_to(user, escalation)


def _append_to_tracker(escalation: Escalation, text: str, delivery: str, api: RasaApi, user) -> bool:
    if delivery not in REACHED_CONVERSATION:
        return False
    try:
        api.append_staff_turn(escalation.conversation_id, text, user.pk, handoff.staff_member(user))
        return True
    except RasaUnavailable:
        logger.error("event=staff.reply_tracker_unavailable escalation_id=%s", escalation.id)
        return False


def quiet_window(escalation: Escalation, now: datetime) -> SendWindow | None:
    """The recipient's window when a reply now would fall in their quiet hours, else None."""
    if escalation.channel not in SMS_CHANNELS or escalation.reason == Reason.CRISIS:
        return None
    state = SmsState()
    number = sms_destination(escalation, state)
    if not number or state.is_opted_out(conversation_id(number)):
        return None  # nothing will be sent anyway; the reply is kept with that outcome
    window = send_window(number, now)
    return window if window.quiet else None


def send_reply(
    user,
    escalation: Escalation,
    text: str,
    api: RasaApi,
    send_sms: SmsSend = send_sms_segments,
    when: str = "",
    reason: str = "",
) -> StaffReply:
    text, reason = text.strip(), reason.strip()
    if not text:
        raise WorkflowError("A reply cannot be empty.")
    if len(text) > MAX_REPLY_LENGTH:
        raise WorkflowError(f"A reply can have at most {MAX_REPLY_LENGTH} characters.")
    quiet = quiet_window(escalation, timezone.now())
    if quiet and when == SEND_AT_OPENING:
        return _schedule(user, escalation, text, quiet.opens_at)
    if quiet and when != SEND_NOW:
        raise WorkflowError(
            "It is outside 8 am-9 pm for the recipient. Choose “Send at 8 am”, or “Send now” with a reason."
        )
    if quiet and not reason:
        raise WorkflowError("Sending during the recipient's quiet hours needs a reason.")
    if len(reason) > MAX_REASON_LENGTH:
        raise WorkflowError(f"A reason can have at most {MAX_REASON_LENGTH} characters.")
    if escalation.channel in SMS_CHANNELS + WEB_CHANNELS:
        _enter_staff_mode(user, escalation, api, reason if quiet else "")
    if escalation.channel in SMS_CHANNELS:
        delivery = _deliver_sms(escalation, text, send_sms, user)
    elif escalation.channel in WEB_CHANNELS:
        delivery = _deliver_web(escalation, text, api, user)
    else:
        # The REST channel has no way to push a message: the visitor only sees answers to their own.
        delivery = Delivery.NOT_CONNECTED
    in_tracker = _append_to_tracker(escalation, text, delivery, api, user)
    with transaction.atomic():
        reply = StaffReply.objects.create(
            escalation=escalation,
            author=user,
            text=text,
            delivery=delivery,
            in_tracker=in_tracker,
            sent_at=timezone.now() if delivery == Delivery.SENT else None,
            quiet_hours_reason=reason if quiet else "",
        )
        mark_acted(escalation, [])
        override = f", in quiet hours because: {reason}" if quiet else ""
        audit(user, AuditAction.REPLY, escalation, f"reply {reply.pk} {delivery}{override}"[:200])
    return reply


def _schedule(user, escalation: Escalation, text: str, send_at: datetime) -> StaffReply:
    with transaction.atomic():
        reply = StaffReply.objects.create(
            escalation=escalation, author=user, text=text, delivery=Delivery.SCHEDULED, send_at=send_at
        )
        if escalation.status == Status.RESOLVED:
            mark_acted(escalation, [])
        else:
            assign_to(user, escalation)
        audit(user, AuditAction.REPLY, escalation, f"reply {reply.pk} scheduled for {send_at.isoformat()}")
    return reply


def cancel_scheduled(user, escalation: Escalation, reply_id: str) -> StaffReply:
    with transaction.atomic():
        # Only a reply still waiting: the sender loop claims due ones by moving them to "sending".
        cancelled = StaffReply.objects.filter(
            pk=reply_id if str(reply_id).isdigit() else -1, escalation=escalation, delivery=Delivery.SCHEDULED
        ).update(delivery=Delivery.CANCELLED)
        if not cancelled:
            raise WorkflowError("That reply is no longer waiting to be sent.")
        audit(user, AuditAction.REPLY_CANCELLED, escalation, f"reply {reply_id}")
    return StaffReply.objects.get(pk=reply_id)


def send_due_replies(api: RasaApi, send_sms: SmsSend = send_sms_segments) -> int:
    """Sends every scheduled reply whose time has come; returns how many were handled.

    Each is claimed (scheduled -> sending) before it is sent, so two loops never send one twice
    and a cancel cannot race the send. The opt-out is checked again at sending time.
    """
    handled = 0
    due = StaffReply.objects.filter(delivery=Delivery.SCHEDULED, send_at__lte=timezone.now()).order_by("send_at")
    for reply_id in list(due.values_list("pk", flat=True)):
        if not StaffReply.objects.filter(pk=reply_id, delivery=Delivery.SCHEDULED).update(delivery=Delivery.SENDING):
            continue
        reply = StaffReply.objects.select_related("escalation", "author").get(pk=reply_id)
        delivery = _deliver_sms(reply.escalation, reply.text, send_sms, reply.author)
        reply.in_tracker = _append_to_tracker(reply.escalation, reply.text, delivery, api, reply.author)
        reply.delivery = delivery
        reply.sent_at = timezone.now() if delivery == Delivery.SENT else None
        with transaction.atomic():
            reply.save(update_fields=["delivery", "in_tracker", "sent_at"])
            audit(reply.author, AuditAction.REPLY, reply.escalation, f"reply {reply.pk} {delivery} at 8 am")
        handled += 1
    return handled


def run_sender_loop(stop: threading.Event, every: float = SENDER_INTERVAL) -> None:
    """Sends due scheduled replies, and ends timed-out staff mode, every ``every`` seconds until ``stop`` is set.

    The schedule lives in the database, so a restarted console picks up where it left off,
    including replies that fell due while it was down.
    """
    while not stop.is_set():
        try:
            handled = send_due_replies(RasaApi.from_env())
            if handled:
                logger.info("event=staff.scheduled_replies_sent count=%d", handled)
            # Web visitors waiting in staff mode are told when staff have gone quiet; SMS visitors
            # are told when they next text (clinic/rasa_staff_mode.py), never by an unasked text.
            in_staff_mode = Escalation.objects.filter(status=Status.IN_PROGRESS, channel__in=WEB_CHANNELS)
            handoff.end_timed_out(RasaApi.from_env(), in_staff_mode)
        except Exception:  # the loop must outlive a database or network hiccup
            logger.exception("event=staff.scheduled_replies_failed")
        finally:
            close_old_connections()
        stop.wait(every)
