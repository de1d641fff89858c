"""The console's pages: thin views over queue, workflow, replies, conversation and stats."""

from __future__ import annotations

import csv
import logging
from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.contact import mailto_href, tel_href
from clinic.directory import default_directory
from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.sms_state import SmsState
from staff.escalations import charts, stats, workflow
from staff.escalations.conversation import full_transcript
from staff.escalations.models import CHANNEL_LABELS, AuditEntry, Delivery, Escalation, Outcome, Priority, Reason
from staff.escalations.queue import STATUS_CHOICES, OverdueThresholds, QueueFilters, headline_counts, is_overdue, queue
from staff.escalations.replies import (
    DELIVERY_NOTICES,
    REACHED_VISITOR,
    cancel_scheduled,
    send_reply,
    texted_from,
    texting_status,
)

logger = logging.getLogger(__name__)
QUEUE_LIMIT = 200
DASHBOARD_DAYS = 14


def _choices_from(values: list[str], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(value, (labels or {}).get(value, value)) for value in values if value]


@login_required
@permission_required("escalations.view_escalation", raise_exception=True)
def queue_view(request: HttpRequest) -> HttpResponse:
    # Search terms (names, numbers, e-mails) come only from the POSTed form, never from the URL.
    search = request.POST.get("q", "") if request.method == "POST" else ""
    filters = QueueFilters.parse(request.POST if request.method == "POST" else request.GET, search)
    now, thresholds = timezone.now(), OverdueThresholds.from_env()
    rows = list(queue(filters)[:QUEUE_LIMIT])
    directory = default_directory()
    clinic_names = {clinic.id: clinic.name for clinic in directory.clinics}
    channels = sorted(set(Escalation.objects.values_list("channel", flat=True)))
    context = {
        "rows": [(row, is_overdue(row, now, thresholds), clinic_names.get(row.clinic, "")) for row in rows],
        # SMS conversations are named after their number's hash: the number's opt-out, in one query.
        "opted_out": SmsState().opted_out_among([row.conversation_id for row in rows if row.channel == "sms"]),
        "limited": len(rows) == QUEUE_LIMIT,
        "filters": filters,
        "counts": headline_counts(now, thresholds),
        "thresholds": thresholds,
        "status_choices": STATUS_CHOICES,
        "reason_choices": Reason.choices,
        "channel_choices": _choices_from(channels, CHANNEL_LABELS),
        "clinic_choices": list(clinic_names.items()),
    }
    return render(request, "escalations/queue.html", context)


@login_required
@permission_required("escalations.view_escalation", raise_exception=True)
def detail_view(request: HttpRequest, pk: UUID) -> HttpResponse:
    escalation = get_object_or_404(Escalation.objects.select_related("assigned_to"), pk=pk)
    transcript = full_transcript(escalation, RasaApi.from_env())
    workflow.record_view(request.user, escalation)
    clinic = default_directory().by_id(escalation.clinic) if escalation.clinic else None
    context = {
        "escalation": escalation,
        "transcript": transcript,
        "clinic": clinic,
        "notes": escalation.notes.select_related("author"),
        "outcomes": Outcome.choices,
        "overdue": is_overdue(escalation, timezone.now(), OverdueThresholds.from_env()),
        "can_work": request.user.has_perm("escalations.work_escalation"),
        "texted_from": texted_from(escalation),
        "texting": texting_status(escalation, timezone.now()),
        "scheduled": escalation.replies.filter(delivery=Delivery.SCHEDULED),
        # Links only for an address and numbers that cannot carry extra fields ("x?bcc=...").
        "email_href": mailto_href(escalation.contact_email),
        "phone_href": tel_href(escalation.contact_phone),
    }
    return render(request, "escalations/detail.html", context)


def end_safety_state(escalation: Escalation) -> None:
    """A resolved crisis ends the conversation's safety state; Rasa being down only delays that."""
    try:
        RasaApi.from_env().end_safety_state(escalation.conversation_id)
    except RasaUnavailable as error:
        logger.warning("event=escalation.safety_state_not_ended escalation_id=%s error=%s", escalation.pk, error)


@require_POST
@login_required
@permission_required("escalations.work_escalation", raise_exception=True)
def act_view(request: HttpRequest, pk: UUID, action: str) -> HttpResponse:
    escalation = get_object_or_404(Escalation, pk=pk)
    try:
        if action == "assign":
            workflow.assign_to(request.user, escalation)
            messages.success(request, "Assigned to you.")
        elif action == "start":
            workflow.start(request.user, escalation)
            messages.success(request, "Marked in progress.")
        elif action == "resolve":
            workflow.resolve(request.user, escalation, request.POST.get("outcome", ""))
            messages.success(request, "Resolved. It has left the queue.")
            if escalation.priority == Priority.URGENT:
                end_safety_state(escalation)
            return redirect("queue")
        elif action == "note":
            workflow.add_note(request.user, escalation, request.POST.get("text", ""))
            messages.success(request, "Note added.")
        elif action == "reply":
            reply = send_reply(
                request.user,
                escalation,
                request.POST.get("text", ""),
                RasaApi.from_env(),
                when=request.POST.get("when", ""),
                reason=request.POST.get("reason", ""),
            )
            level = messages.SUCCESS if reply.delivery in REACHED_VISITOR else messages.WARNING
            messages.add_message(request, level, DELIVERY_NOTICES[reply.delivery])
        elif action == "cancel-reply":
            cancel_scheduled(request.user, escalation, request.POST.get("reply", ""))
            messages.success(request, DELIVERY_NOTICES[Delivery.CANCELLED])
        else:
            return HttpResponse("Unknown action.", status=404)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    return redirect("detail", pk=escalation.pk)


@login_required
@permission_required("escalations.view_dashboard", raise_exception=True)
def dashboard_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    days = [today - timedelta(days=offset) for offset in range(DASHBOARD_DAYS - 1, -1, -1)]
    since = timezone.now() - timedelta(days=DASHBOARD_DAYS)
    per_day = stats.escalations_per_day(days)
    series = [(reason, label, charts.REASON_COLOURS[reason]) for reason, label in Reason.choices]
    median, measured = stats.median_time_to_first_action(since)
    conversations = stats.conversation_stats(since)
    context = {
        "days": DASHBOARD_DAYS,
        "per_day_chart": charts.stacked_columns(
            "per-day",
            f"Escalations per day by reason, last {DASHBOARD_DAYS} days",
            [(day.strftime("%m/%d"), dict(per_day[day])) for day in days],
            series,
        ),
        "per_day": [(day, [per_day[day][reason] for reason, _ in Reason.choices]) for day in days],
        "reasons": Reason.choices,
        "median_minutes": round(median.total_seconds() / 60, 1) if median is not None else None,
        "measured": measured,
        "conversations": conversations,
        "topics_chart": charts.horizontal_bars("topics", "Most asked FAQ topics", conversations.top_topics)
        if conversations and conversations.top_topics
        else "",
    }
    return render(request, "escalations/dashboard.html", context)


@login_required
@permission_required("escalations.view_auditentry", raise_exception=True)
def audit_view(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.all()
    escalation_id = request.GET.get("escalation", "")
    if escalation_id:
        try:
            entries = entries.filter(escalation_id=UUID(escalation_id))
        except ValueError:
            messages.error(request, "That is not an escalation id.")
    return render(request, "escalations/audit.html", {"entries": entries[:500], "escalation_id": escalation_id})


@login_required
@permission_required("escalations.export_opt_outs", raise_exception=True)
def opt_out_report_view(request: HttpRequest) -> HttpResponse:
    """Every SMS opt-out in the consent ledger as CSV, for the clinic's suppression lists."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sms-opt-outs.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["opted_out_at_utc", "number", "keyword", "language", "channel", "still_opted_out"])
    rows = SmsState().opt_out_report()
    for row in rows:
        at = datetime.fromtimestamp(row.at, UTC).isoformat(timespec="seconds")
        still = "yes" if row.still_opted_out else "no"
        writer.writerow([at, row.number, row.keyword, row.language, row.channel, still])
    logger.info("event=staff.opt_out_report user_id=%s rows=%d", request.user.pk, len(rows))
    return response
