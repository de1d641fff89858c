"""Staff mode from the console: join a conversation, hand it back, and what the visitor is told.

Joining (or replying) pauses the conversation in Rasa (its own ``pause`` event, appended through
the HTTP API) and tells the visitor, once and in their language, who joined; "Return to the
assistant" and resolving append ``resume`` and tell them why. The assistant's side of staff
mode (silence, the crisis reply, the timeout) is clinic/rasa_staff_mode.py; the state is only
ever read back from the tracker (clinic/staff_mode.py). Joining or replying also assigns the
escalation to that staff member and puts it in progress.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic import staff_mode
from clinic.directory import default_directory
from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.sms_render import render_sms
from clinic.staff_mode import StaffMember
from staff.escalations.models import AuditAction, Escalation, StaffProfile, Status
from staff.escalations.workflow import WorkflowError, assign_to, audit

logger = logging.getLogger(__name__)
SMS_CHANNELS = ("sms",)
WEB_CHANNELS = ("socketio",)
DEFAULT_ROLE = "care team member"


def staff_member(user) -> StaffMember:
    """The name and role the visitor sees: the staff profile, else the first name or username."""
    profile = StaffProfile.objects.filter(user=user).first()
    name = (profile.display_name if profile else "") or user.first_name or user.get_username()
    return StaffMember(name, (profile.role if profile else "") or DEFAULT_ROLE)


def clinic_name(escalation: Escalation) -> str:
    """The clinic the visitor named, else the clinic group's brand."""
    directory = default_directory()
    clinic = directory.by_id(escalation.clinic) if escalation.clinic else None
    return clinic.name if clinic else directory.group_name


@dataclass(frozen=True)
class ConversationState:
    paused: bool
    language: str
    events: list[dict[str, Any]]


def conversation_state(escalation: Escalation, api: RasaApi) -> ConversationState:
    tracker = api.tracker(escalation.conversation_id)
    events = tracker.get("events") or []
    return ConversationState(staff_mode.is_paused(events), staff_mode.language_of(tracker.get("slots")), events)


def tell_visitor(escalation: Escalation, text: str, api: RasaApi, notice: str | None, staff: StaffMember | None):
    """Sends a notice or staff message on the conversation's own channel; returns the delivery."""
    from staff.escalations.replies import deliver_sms  # replies imports this module

    if escalation.channel in SMS_CHANNELS:
        return deliver_sms(escalation, render_sms([{"text": text}]).segments)
    if escalation.channel in WEB_CHANNELS:
        return api.deliver_to_web_visitor(escalation.conversation_id, text, staff=staff, notice=notice)
    return "queued"  # the REST channel cannot push: the visitor sees it in the history only


def enter(user, escalation: Escalation, api: RasaApi, quiet_hours_reason: str = "") -> bool:
    """Pauses the assistant and tells the visitor who joined (once: nothing if already paused).

    Returns True when this call started staff mode. Raises RasaUnavailable when Rasa cannot be
    reached or does not know the conversation: without the pause the assistant would keep talking.
    Joining an SMS conversation texts the notice, so in the recipient's quiet hours (not for a
    crisis) it needs the reason a reply sent now gives.
    """
    from staff.escalations.replies import quiet_window  # replies imports this module

    if escalation.status == Status.RESOLVED:
        raise WorkflowError("This escalation is resolved.")
    if not quiet_hours_reason and quiet_window(escalation, timezone.now()):
        raise WorkflowError(
            "It is outside 8 am-9 pm for the recipient, so joining would text them now. "
            "Send a reply with “Send now” and a reason instead (that joins too), or join after 8 am."
        )
    state = conversation_state(escalation, api)
    if not state.events:
        raise RasaUnavailable("unknown conversation")
    assign_to(user, escalation)
    if state.paused:
        return False
    staff = staff_member(user)
    channel = "sms" if escalation.channel in SMS_CHANNELS else escalation.channel
    text = staff_mode.notice_text(staff_mode.JOINED, state.language, channel, staff, clinic_name(escalation))
    now = time.time()
    api.append_events(
        escalation.conversation_id,
        [{"event": "pause", "timestamp": now}, staff_mode.notice_event(text, staff_mode.JOINED, staff, now)],
    )
    delivery = tell_visitor(escalation, text, api, staff_mode.JOINED, staff)
    audit(user, AuditAction.JOINED, escalation, f"notice {delivery}")
    return True


def leave(user, escalation: Escalation, api: RasaApi, why: str) -> bool:
    """Resumes the assistant and tells the visitor why (returned, resolved); False if not paused."""
    state = conversation_state(escalation, api)
    if not state.paused:
        return False
    staff = staff_member(user)
    channel = "sms" if escalation.channel in SMS_CHANNELS else escalation.channel
    text = staff_mode.notice_text(why, state.language, channel, staff, clinic_name(escalation))
    now = time.time()
    api.append_events(
        escalation.conversation_id,
        [{"event": "resume", "timestamp": now}, staff_mode.notice_event(text, why, staff, now)],
    )
    delivery = tell_visitor(escalation, text, api, why, staff)
    with transaction.atomic():
        audit(user, AuditAction.RETURNED, escalation, f"{why} notice {delivery}")
    return True


def end_timed_out(api: RasaApi, escalations) -> int:
    """Resumes every conversation whose staff have not written for STAFF_MODE_TIMEOUT_MINUTES.

    Run by the console's background loop (staff/serve.py), so a visitor who waits is told too;
    Rasa's hook does the same lazily when a visitor writes first. Returns how many were resumed.
    """
    resumed = 0
    for escalation in escalations:
        try:
            state = conversation_state(escalation, api)
            if not staff_mode.timed_out(state.events):
                continue
            text = staff_mode.notice_text(staff_mode.TIMED_OUT, state.language, escalation.channel, None, "")
            now = time.time()
            api.append_events(
                escalation.conversation_id,
                [{"event": "resume", "timestamp": now}, staff_mode.notice_event(text, staff_mode.TIMED_OUT, None, now)],
            )
            tell_visitor(escalation, text, api, staff_mode.TIMED_OUT, None)
        except RasaUnavailable as error:
            logger.warning("event=staff_mode.timeout_check_failed escalation_id=%s error=%s", escalation.id, error)
            continue
        logger.info("event=staff_mode.timed_out escalation_id=%s", escalation.id)
        resumed += 1
    return resumed
