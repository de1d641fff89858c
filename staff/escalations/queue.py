"""The work queue: which escalations staff see, in which order, and which are overdue.

Urgent (crisis) first, then oldest first. An escalation is overdue while no staff member has
acted on it (no assignment, status change, note or reply) for longer than its threshold:
STAFF_OVERDUE_URGENT_MINUTES for urgent ones, STAFF_OVERDUE_MINUTES for the rest. Its SLA
timer turns amber once half of that time has passed, and red when it is overdue.

Filters travel in the URL (GET), so a view can be bookmarked; the search words never do
(see search.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from staff.escalations.models import Escalation, Language, Priority, Reason, Status
from staff.escalations.search import search

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


@dataclass(frozen=True)
class Sla:
    state: str  # "ok", "amber", "red", or "met" once staff acted (or it is resolved)
    remaining: timedelta  # negative when overdue

    @property
    def label(self) -> str:
        if self.state == "met":
            return "Answered"
        minutes = abs(round(self.remaining.total_seconds() / 60))
        return f"{describe_minutes(minutes)} over" if self.state == "red" else f"{describe_minutes(minutes)} left"


def describe_minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days"


def sla(escalation: Escalation, now: datetime, thresholds: OverdueThresholds) -> Sla:
    if escalation.status == Status.RESOLVED or escalation.first_action_at is not None:
        return Sla("met", timedelta(0))
    allowed = thresholds.for_priority(escalation.priority)
    remaining = escalation.created_at + allowed - now
    if remaining < timedelta(0):
        return Sla("red", remaining)
    return Sla("amber" if remaining <= allowed / 2 else "ok", remaining)


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


UNASSIGNED = "none"
MINE = "me"
# The presets: each is a set of URL filters.
PRESETS = (
    ("urgent", "Urgent", {"priority": Priority.URGENT}),
    ("mine", "Mine", {"assignee": MINE}),
    ("unassigned", "Unassigned", {"assignee": UNASSIGNED}),
    ("overdue", "Overdue", {"overdue": "1"}),
    ("spanish", "Spanish", {"language": Language.SPANISH}),
)
URL_FILTERS = ("status", "reason", "priority", "channel", "clinic", "language", "assignee", "overdue", "since", "until")


@dataclass(frozen=True)
class QueueFilters:
    status: str = OPEN
    reason: str = ""
    priority: str = ""
    channel: str = ""
    clinic: str = ""
    language: str = ""
    # "me", "none" or a username
    assignee: str = ""
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    search: str = ""
    problems: list[str] = field(default_factory=list)

    def query_string(self, **changes: str) -> str:
        """These filters (never the search) as a URL query, with ``changes`` applied."""
        values = {name: getattr(self, name) for name in URL_FILTERS}
        values["overdue"] = "1" if self.overdue else ""
        values["status"] = "" if self.status == OPEN else self.status
        values.update(changes)
        return urlencode({k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v})

    def matches_preset(self, preset: dict[str, str]) -> bool:
        return self.query_string() == QueueFilters().query_string(**preset)

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
        priority = params.get("priority") or ""
        if priority and priority not in Priority.values:
            problems.append("Unknown priority; showing every priority.")
            priority = ""
        language = params.get("language") or ""
        if language and language not in Language.values:
            problems.append("Unknown language; showing every language.")
            language = ""
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
            priority=priority,
            channel=(params.get("channel") or "")[:40],
            clinic=(params.get("clinic") or "")[:60],
            language=language,
            assignee=(params.get("assignee") or "")[:150],
            overdue=params.get("overdue") == "1",
            since=dates["since"],
            until=dates["until"],
            search=search.strip()[:200],
            problems=problems,
        )


def urgent_first_then_oldest(rows: QuerySet[Escalation]) -> QuerySet[Escalation]:
    rank = Case(When(priority=Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
    return rows.annotate(urgency_rank=rank).order_by("urgency_rank", "created_at")


def queue(filters: QueueFilters, user: Any = None, now: datetime | None = None) -> QuerySet[Escalation]:
    """The filtered queue; ``user`` is who "Mine" means."""
    rows = Escalation.objects.select_related("assigned_to")
    if filters.status == OPEN:
        rows = rows.exclude(status=Status.RESOLVED)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    for name in ("reason", "priority", "channel", "clinic", "language"):
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
    if filters.assignee == UNASSIGNED:
        rows = rows.filter(assigned_to__isnull=True)
    elif filters.assignee == MINE:
        rows = rows.filter(assigned_to=user) if user is not None else rows.none()
    elif filters.assignee:
        rows = rows.filter(assigned_to__username=filters.assignee)
    if filters.overdue:
        rows = rows.filter(overdue_condition(now or timezone.now(), OverdueThresholds.from_env()))
    if filters.search:
        rows = search(rows, filters.search)
    return urgent_first_then_oldest(rows)


def headline_counts(now: datetime, thresholds: OverdueThresholds) -> dict[str, int]:
    return {
        "new": Escalation.objects.filter(status=Status.NEW).count(),
        "overdue": Escalation.objects.filter(overdue_condition(now, thresholds)).count(),
    }
