"""What staff do to an escalation; every change and every transcript view is audited.

Each function changes the record and appends its audit entry in one transaction, and stamps
the first staff action (the response time the dashboard reports).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from staff.escalations.models import AuditAction, AuditEntry, Escalation, Note, Outcome, Status

logger = logging.getLogger(__name__)
MAX_NOTE_LENGTH = 5000


class WorkflowError(ValueError):
    """A change that cannot be made; the message is shown to the staff member."""


def audit(user, action: str, escalation: Escalation, detail: str = "") -> AuditEntry:
    entry = AuditEntry.objects.create(
        user=user, username=user.get_username(), action=action, escalation=escalation, detail=detail
    )
    logger.info("event=staff.%s escalation_id=%s user_id=%s detail=%s", action, escalation.id, user.pk, detail or "-")
    return entry


def mark_acted(escalation: Escalation, fields: list[str]) -> None:
    if escalation.first_action_at is None:
        escalation.first_action_at = timezone.now()
        fields.append("first_action_at")
    escalation.save(update_fields=fields)


def record_view(user, escalation: Escalation) -> None:
    audit(user, AuditAction.VIEWED, escalation)


@transaction.atomic
def assign_to(user, escalation: Escalation) -> None:
    if escalation.status == Status.RESOLVED:
        raise WorkflowError("This escalation is resolved.")
    escalation.assigned_to = user
    fields = ["assigned_to"]
    if escalation.status == Status.NEW:
        escalation.status = Status.IN_PROGRESS
        fields.append("status")
    mark_acted(escalation, fields)
    audit(user, AuditAction.ASSIGNED, escalation, f"to user {user.pk}")


@transaction.atomic
def start(user, escalation: Escalation) -> None:
    if escalation.status != Status.NEW:
        raise WorkflowError("Only a new escalation can be put in progress.")
    escalation.status = Status.IN_PROGRESS
    mark_acted(escalation, ["status"])
    audit(user, AuditAction.STATUS, escalation, Status.IN_PROGRESS)


@transaction.atomic
def resolve(user, escalation: Escalation, outcome: str) -> None:
    if outcome not in Outcome.values:
        raise WorkflowError("Choose an outcome to resolve the escalation.")
    if escalation.status == Status.RESOLVED:
        raise WorkflowError("This escalation is already resolved.")
    escalation.status = Status.RESOLVED
    escalation.outcome = outcome
    escalation.resolved_at = timezone.now()
    mark_acted(escalation, ["status", "outcome", "resolved_at"])
    audit(user, AuditAction.RESOLVED, escalation, outcome)


@transaction.atomic
def add_note(user, escalation: Escalation, text: str) -> Note:
    text = text.strip()
    if not text:
        raise WorkflowError("A note cannot be empty.")
    if len(text) > MAX_NOTE_LENGTH:
        raise WorkflowError(f"A note can have at most {MAX_NOTE_LENGTH} characters.")
    note = Note.objects.create(escalation=escalation, author=user, text=text)
    mark_acted(escalation, [])
    audit(user, AuditAction.NOTE, escalation, f"note {note.pk}")
    return note
