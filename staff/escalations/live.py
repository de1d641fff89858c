"""The console in real time: small polling endpoints with ETags, and joining or leaving a conversation.

Why polling and not server-sent events or websockets: the console is a WSGI app on waitress,
which serves each request on one of a fixed pool of threads. A held SSE stream would pin a
thread per open console tab for as long as it is open; django-eventstream and websockets need
ASGI (Channels, Daphne or Uvicorn) and a second server stack. The pages ask every 2 seconds
(static/escalations/live.js) with ``If-None-Match``; an unchanged state answers 304 with no
body, a changed one names its new version and the page refreshes only its live regions.

- ``/live/queue/``: a version of the open escalations (any new one, status or assignment change
  moves it), the urgent escalations still new, and how many crisis messages each open urgent
  one holds; every console page turns a new urgent escalation, or a new crisis message in one
  already open (a crisis during staff mode), into the alert (title count, banner, optional
  sound, browser notification after opt-in).
- ``/live/escalations/<id>/``: a version of the conversation (Rasa's tracker: every visitor
  message), staff mode, whether the web visitor is connected now and their panel open, the
  number's opt-out, the escalation's status and assignment, and each reply's delivery. A web
  reply queued while the visitor was away is marked delivered (or shown, with the panel open)
  once they are connected again: the widget replays the conversation's history on reconnecting.
"""

from __future__ import annotations

import hashlib
import json
import logging
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clinic import staff_mode
from clinic.conversation_ids import is_well_formed
from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.sms_sender import conversation_id
from clinic.sms_state import SmsState
from staff.escalations import handoff
from staff.escalations.models import Delivery, Escalation, Priority, Status
from staff.escalations.replies import SMS_CHANNELS, WEB_CHANNELS, sms_destination
from staff.escalations.workflow import WorkflowError

logger = logging.getLogger(__name__)
# Sent by live.js when it re-reads a page to refresh its live regions.
LIVE_REFRESH_HEADER = "X-Live-Refresh"


def _versioned(request: HttpRequest, state: dict) -> HttpResponse:
    """The state as JSON with an ETag; 304 when the browser already has this version."""
    body = json.dumps(state, sort_keys=True, default=str)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    # The console's middleware marks it no-store like every page: live.js keeps the ETag itself.
    response["ETag"] = etag
    return response


@require_GET
@login_required
@permission_required("escalations.view_escalation", raise_exception=True)
def queue_state_view(request: HttpRequest) -> HttpResponse:
    open_rows = Escalation.objects.exclude(status=Status.RESOLVED).order_by("created_at")
    fields = ("id", "status", "priority", "assigned_to_id", "first_action_at", "reason", "triggering_message")
    rows = list(open_rows.values_list(*fields))
    urgent_new = [
        {"id": str(pk), "url": reverse("detail", args=[str(pk)]), "reason": reason}
        for pk, status, priority, _, _, reason, _ in rows
        if status == Status.NEW and priority == Priority.URGENT
    ]
    # A later crisis message of a conversation is merged into its open urgent escalation (one
    # line of its triggering message each): a growing count is a new crisis, e.g. during staff mode.
    crisis_messages = {
        str(pk): {"count": len(trigger.splitlines()), "url": reverse("detail", args=[str(pk)])}
        for pk, _, priority, _, _, _, trigger in rows
        if priority == Priority.URGENT
    }
    state = {"open": [list(row[:5]) for row in rows], "urgent_new": urgent_new, "crisis_messages": crisis_messages}
    return _versioned(request, state)


def conversation_live_state(escalation: Escalation, api: RasaApi) -> dict:
    """What the detail page shows live about the conversation; Rasa's absence is a state too."""
    state: dict = {"reachable": False, "paused": False, "events": 0, "last": None, "crisis": None}
    if escalation.channel in SMS_CHANNELS:
        smss = SmsState()
        number = sms_destination(escalation, smss)
        state["opted_out"] = bool(number) and smss.is_opted_out(conversation_id(number))
    if not is_well_formed(escalation.conversation_id):
        return state
    try:
        tracker = api.tracker(escalation.conversation_id)
        if escalation.channel in WEB_CHANNELS:
            state["presence"] = api.web_presence(escalation.conversation_id)
    except RasaUnavailable:
        return state
    events = tracker.get("events") or []
    state |= {
        "reachable": True,
        "paused": staff_mode.is_paused(events),
        "events": len(events),
        "last": events[-1].get("timestamp") if events else None,
        "crisis": staff_mode.crisis_during_staff_mode(events),
    }
    return state


def deliver_queued_replies(escalation: Escalation, presence: dict | None) -> int:
    """Replies queued for an absent web visitor, now delivered: they are back, with the history replayed."""
    if escalation.channel not in WEB_CHANNELS or not presence or not presence.get("connected"):
        return 0
    delivery = Delivery.SHOWN if presence.get("panel_open") else Delivery.DELIVERED
    delivered = escalation.replies.filter(delivery=Delivery.NOT_CONNECTED).update(delivery=delivery)
    if delivered:
        logger.info("event=staff.queued_replies_delivered escalation_id=%s replies=%d", escalation.id, delivered)
    return delivered


@require_GET
@login_required
@permission_required("escalations.view_escalation", raise_exception=True)
def escalation_state_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    escalation = get_object_or_404(Escalation, pk=pk)
    state = conversation_live_state(escalation, RasaApi.from_env())
    deliver_queued_replies(escalation, state.get("presence"))
    state |= {
        "status": escalation.status,
        "assigned_to": escalation.assigned_to_id,
        "replies": list(escalation.replies.values_list("id", "delivery")),
        "notes": escalation.notes.count(),
    }
    return _versioned(request, state)


@require_POST
@login_required
@permission_required("escalations.work_escalation", raise_exception=True)
def staff_mode_view(request: HttpRequest, pk: UUID, action: str) -> HttpResponse:
    """ "Join conversation" and "Return to the assistant"."""
    escalation = get_object_or_404(Escalation, pk=pk)
    api = RasaApi.from_env()
    try:
        if action == "join":
            joined = handoff.enter(request.user, escalation, api)
            messages.success(
                request,
                "You joined: the assistant is paused and the visitor was told."
                if joined
                else "The assistant is already paused in this conversation; it is now assigned to you.",
            )
        elif action == "return":
            if handoff.leave(request.user, escalation, api, staff_mode.RETURNED):
                messages.success(request, "The assistant is answering again; the visitor was told.")
            else:
                messages.info(request, "The assistant was not paused in this conversation.")
        else:
            return HttpResponse("Unknown action.", status=404)
    except WorkflowError as error:
        messages.error(request, str(error))
    except RasaUnavailable as error:
        logger.error("event=staff.staff_mode_failed escalation_id=%s error=%s", escalation.id, error)
        messages.error(request, "The assistant's server cannot be reached, so nothing was changed. Try again.")
    return redirect("detail", ref=str(escalation.pk))


def end_staff_mode_on_resolve(user, escalation: Escalation) -> None:
    """Resolving hands the conversation back to the assistant, and the visitor is told."""
    if escalation.channel not in SMS_CHANNELS + WEB_CHANNELS or not is_well_formed(escalation.conversation_id):
        return
    try:
        handoff.leave(user, escalation, RasaApi.from_env(), staff_mode.RESOLVED)
    except RasaUnavailable as error:
        # The tracker keeps the pause; the timeout hands the conversation back later.
        logger.error("event=staff.resume_on_resolve_failed escalation_id=%s error=%s", escalation.id, error)
