"""The work queue: which escalations staff see, in which order, and which are overdue.

Urgent (crisis) first, then oldest first. An escalation is overdue while no staff member has
acted on it (no assignment, status change, note or reply) for longer than its threshold:
STAFF_OVERDUE_URGENT_MINUTES for urgent ones, STAFF_OVERDUE_MINUTES for the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from staff.escalations.models import Escalation, Priority, Reason, Status

OPEN = "open"
STATUS_CHOICES = [(OPEN, "Open (new or in progress)"), *Status.choices, ("all", "All")]


@dataclass(frozen=True)
class OverdueThresholds:
    urgent: timedelta = timedelta(minutes=15)
    normal: timedelta = timedelta(minutes=240)

    @classmethod
    def from_env(cls) -> OverdueThresholds:
        return cls(
            urgent=timedelta(minutes=float(os.environ.get("STAFF_OVERDUE_URGENT_MINUTES", "15"))),
            normal=timedelta(minutes=float(os.environ.get("STAFF_OVERDUE_MINUTES", "240"))),
        )

    @property
    def urgent_minutes(self) -> int:
        return round(self.urgent.total_seconds() / 60)

    @property
    def normal_minutes(self) -> int:
        return round(self.normal.total_seconds() / 60)

    def for_priority(self, priority: str) -> timedelta:
        return self.urgent if priority == Priority.URGENT else self.normal


def is_overdue(escalation: Escalation, now: datetime, thresholds: OverdueThresholds) -> bool:
    if escalation.status == Status.RESOLVED or escalation.first_action_at is not None:
        return False
    return now - escalation.created_at > thresholds.for_priority(escalation.priority)


def overdue_condition(now: datetime, thresholds: OverdueThresholds) -> Q:
    """``is_overdue`` as a database filter."""
    waiting = Q(first_action_at__isnull=True) & ~Q(status=Status.RESOLVED)
    urgent = Q(priority=Priority.URGENT, created_at__lt=now - thresholds.urgent)
    normal = ~Q(priority=Priority.URGENT) & Q(created_at__lt=now - thresholds.normal)
    return waiting & (urgent | normal)


@dataclass(frozen=True)
class QueueFilters:
    status: str = OPEN
    reason: str = ""
    channel: str = ""
    clinic: str = ""
    since: date | None = None
    until: date | None = None
    search: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: Any, search: str = "") -> QueueFilters:
        """Filters from request parameters; anything invalid is ignored and reported in ``problems``."""
        problems: list[str] = []
        status = params.get("status") or OPEN
        if status not in dict(STATUS_CHOICES):
            problems.append("Unknown status; showing open escalations.")
            status = OPEN
        reason = params.get("reason") or ""
        if reason and reason not in Reason.values:
            problems.append("Unknown reason; showing every reason.")
            reason = ""
        dates = {}
        for name in ("since", "until"):
            raw = params.get(name) or ""
            try:
                dates[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                problems.append(f"The {name} date is not a date (YYYY-MM-DD); it was ignored.")
                dates[name] = None
        return cls(
            status=status,
            reason=reason,
            channel=(params.get("channel") or "")[:40],
            clinic=(params.get("clinic") or "")[:60],
            since=dates["since"],
            until=dates["until"],
            search=search.strip()[:200],
            problems=problems,
        )


def _search(query: str) -> Q:
    digits = "".join(ch for ch in query if ch.isdigit())
    condition = (
        Q(first_name__icontains=query)
        | Q(contact_email__icontains=query)
        | Q(conversation_id__icontains=query)
        | Q(contact_phone__icontains=query)
    )
    if len(digits) >= 4:
        # "(949) 555-0101" finds +19495550101: phones are stored in E.164.
        condition |= Q(contact_phone__contains=digits)
    return condition


def urgent_first_then_oldest(rows: QuerySet[Escalation]) -> QuerySet[Escalation]:
    rank = Case(When(priority=Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
    return rows.annotate(urgency_rank=rank).order_by("urgency_rank", "created_at")


def queue(filters: QueueFilters) -> QuerySet[Escalation]:
    rows = Escalation.objects.select_related("assigned_to")
    if filters.status == OPEN:
        rows = rows.exclude(status=Status.RESOLVED)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    for name in ("reason", "channel", "clinic"):
        if getattr(filters, name):
            rows = rows.filter(**{name: getattr(filters, name)})
    if filters.since:
        rows = rows.filter(created_at__gte=datetime.combine(filters.since, time.min, timezone.get_default_timezone()))
    if filters.until:
        rows = rows.filter(
            created_at__lt=datetime.combine(
                filters.until + timedelta(days=1), time.min, timezone.get_default_timezone()
            )
        )
    if filters.search:
        rows = rows.filter(_search(filters.search))
    return urgent_first_then_oldest(rows)


def headline_counts(now: datetime, thresholds: OverdueThresholds) -> dict[str, int]:
    return {
        "new": Escalation.objects.filter(status=Status.NEW).count(),
        "overdue": Escalation.objects.filter(overdue_condition(now, thresholds)).count(),
    }
