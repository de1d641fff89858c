"""Audit entries in readable words: "maria assigned it to kim", "reply sent by SMS".

The entry keeps codes (action, status, outcome, delivery); this module is the one place that
turns them into sentences, for the audit page and its CSV export.
"""

from __future__ import annotations

import re

from django.utils import timezone

from staff.escalations.models import AuditAction, AuditEntry, Delivery, Outcome, Status

DELIVERY_WORDS = {
    Delivery.SENT: "sent by SMS",
    Delivery.DELIVERED: "delivered to the open web chat",
    Delivery.NOT_CONNECTED: "kept in the conversation (the visitor was not connected)",
    Delivery.FAILED: "could not be sent",
    Delivery.OPTED_OUT: "not sent: the number opted out of texts",
    Delivery.NO_NUMBER: "not sent: no phone number to text",
    Delivery.SENDING: "being sent",
    Delivery.CANCELLED: "cancelled",
}
_REPLY = re.compile(r"reply (?P<id>\d+) (?P<delivery>[a-z_]+)(?P<rest>.*)")


def _reply(who: str, detail: str) -> str:
    match = _REPLY.match(detail)
    if not match:
        return f"{who} replied"
    delivery, rest = match["delivery"], match["rest"].strip()
    if delivery == "scheduled" and rest.startswith("for "):
        try:
            at = timezone.localtime(timezone.datetime.fromisoformat(rest[4:]))
            return f"{who} scheduled a reply for {at:%b %-d, %-I:%M %p}"
        except ValueError:
            return f"{who} scheduled a reply"
    words = DELIVERY_WORDS.get(delivery, delivery.replace("_", " "))
    if rest == "at 8 am":
        return f"Scheduled reply by {who} {words} at 8 am"
    if rest.startswith(", in quiet hours because:"):
        return f"Reply by {who} {words}, in the recipient's quiet hours because:{rest.split(':', 1)[1]}"
    return f"Reply by {who} {words}"


def describe(entry: AuditEntry) -> str:
    who, action, detail = entry.username, entry.action, entry.detail
    if action == AuditAction.VIEWED:
        return f"{who} read the transcript"
    if action == AuditAction.ASSIGNED:
        assignee = detail[3:] if detail.startswith("to ") else ""
        if not assignee or assignee == who:
            return f"{who} took it"
        return f"{who} assigned it to {assignee}"
    if action == AuditAction.UNASSIGNED:
        previous = detail[5:] if detail.startswith("from ") else ""
        return f"{who} unassigned it (it was {previous}'s)" if previous else f"{who} unassigned it"
    if action == AuditAction.STATUS:
        label = Status(detail).label.lower() if detail in Status.values else detail
        return f"{who} marked it {label}"
    if action == AuditAction.RESOLVED:
        label = Outcome(detail).label.lower() if detail in Outcome.values else detail
        return f"{who} resolved it: {label}"
    if action == AuditAction.REOPENED:
        return f"{who} reopened it (the reason is in the notes)"
    if action == AuditAction.NOTE:
        return f"{who} added a note"
    if action == AuditAction.REPLY:
        return _reply(who, detail)
    if action == AuditAction.REPLY_CANCELLED:
        return f"{who} cancelled a scheduled reply"
    if action == AuditAction.FLAGGED:
        return f"{who} flagged a visitor message for review"
    return f"{who}: {entry.get_action_display()}"
