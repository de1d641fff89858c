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
    audit(user, AuditAction.ASSIGNED, escalation, f"to {user.get_username()}")


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


def _colleague(username: str):
    """An active account allowed to work escalations, by username."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not user.has_perm("escalations.work_escalation"):
        raise WorkflowError("Choose a colleague who works escalations.")
    return user


def assignable_colleagues():
    """Active accounts that may work escalations, for the assign menus."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    granted = Q(groups__permissions__codename="work_escalation") | Q(is_superuser=True)
    return get_user_model().objects.filter(granted, is_active=True).distinct().order_by("username")


@transaction.atomic
def reassign(user, escalation: Escalation, username: str) -> None:
    """Assigns to a colleague (or to oneself); the audit names who it went to."""
    assignee = _colleague(username)
    if escalation.status == Status.RESOLVED:
        raise WorkflowError("This escalation is resolved; reopen it first.")
    if escalation.assigned_to_id == assignee.pk:
        raise WorkflowError(f"It is already assigned to {assignee.get_username()}.")
    escalation.assigned_to = assignee
    fields = ["assigned_to"]
    if escalation.status == Status.NEW:
        escalation.status = Status.IN_PROGRESS
        fields.append("status")
    mark_acted(escalation, fields)
    audit(user, AuditAction.ASSIGNED, escalation, f"to {assignee.get_username()}")


@transaction.atomic
def unassign(user, escalation: Escalation) -> None:
    if escalation.assigned_to is None:
        raise WorkflowError("It is not assigned to anyone.")
    previous = escalation.assigned_to.get_username()
    escalation.assigned_to = None
    mark_acted(escalation, ["assigned_to"])
    audit(user, AuditAction.UNASSIGNED, escalation, f"from {previous}")


@transaction.atomic
def reopen(user, escalation: Escalation, reason: str) -> Note:
    """Back to in progress; the reason is kept as a note (the audit entry holds no free text)."""
    reason = reason.strip()
    if escalation.status != Status.RESOLVED:
        raise WorkflowError("Only a resolved escalation can be reopened.")
    if not reason:
        raise WorkflowError("Say why it is reopened.")
    if len(reason) > MAX_NOTE_LENGTH:
        raise WorkflowError(f"A reason can have at most {MAX_NOTE_LENGTH} characters.")
    escalation.status = Status.IN_PROGRESS
    escalation.outcome = ""
    escalation.resolved_at = None
    mark_acted(escalation, ["status", "outcome", "resolved_at"])
    note = Note.objects.create(escalation=escalation, author=user, text=f"Reopened: {reason}")
    audit(user, AuditAction.REOPENED, escalation, f"note {note.pk}")
    return note


@transaction.atomic
def bulk(user, escalations: list[Escalation], action: str, username: str = "") -> int:
    """One action on several escalations, all or none; returns how many changed."""
    if not escalations:
        raise WorkflowError("Select at least one escalation.")
    if action not in ("assign", "duplicate"):
        raise WorkflowError("Choose what to do with the selected escalations.")
    changed = 0
    for escalation in escalations:
        if action == "duplicate":
            resolve(user, escalation, Outcome.DUPLICATE)
        elif escalation.assigned_to is None or escalation.assigned_to.get_username() != username:
            reassign(user, escalation, username)
        else:
            continue  # already theirs
        changed += 1
    return changed
