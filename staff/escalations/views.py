"""The console's pages: thin views over queue, workflow, replies, conversation and stats."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.contact import mailto_href, tel_href
from clinic.directory import default_directory
from clinic.rasa_api import RasaApi, RasaUnavailable
from clinic.sms_state import SmsState
from staff.escalations import canned, charts, review, signin, stats, workflow
from staff.escalations.audit_text import describe
from staff.escalations.conversation import full_transcript
from staff.escalations.ids import IdError, find_escalation_id
from staff.escalations.live import LIVE_REFRESH_HEADER, conversation_live_state, end_staff_mode_on_resolve
from staff.escalations.models import (
    CHANNEL_LABELS,
    AuditAction,
    AuditEntry,
    CannedReply,
    Delivery,
    Escalation,
    Language,
    Outcome,
    Priority,
    Reason,
    ReviewKind,
    ReviewStatus,
)
from staff.escalations.queue import (
    PRESETS,
    STATUS_CHOICES,
    OverdueThresholds,
    QueueFilters,
    describe_minutes,
    headline_counts,
    is_overdue,
    queue,
    sla,
)
from staff.escalations.replies import (
    DELIVERY_NOTICES,
    REACHED_VISITOR,
    cancel_scheduled,
    send_reply,
    texted_from,
    texting_status,
)
from staff.escalations.tracker import TrackerUnreadable, last_visitor_messages

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
DASHBOARD_DAYS = 14
SEARCH_SESSION_KEY = "queue_search"
PREVIEW_LENGTH = 120


def requires(permission: str, why: str) -> Callable:
    """Like permission_required, but the 403 page says why the page is refused."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(permission):
                raise PermissionDenied(why)
            return view(request, *args, **kwargs)

        return checked

    return decorator


ESCALATIONS_ONLY = "Escalations are open to nurses and admins; your role does not include them."
WORK_ONLY = "Only nurses and admins can change an escalation; your role can read it only."


def _choices_from(values: list[str], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(value, (labels or {}).get(value, value)) for value in values if value]


def _waiting_since(row: Escalation, latest: dict) -> tuple[str, datetime | None]:
    """The last visitor message (from the tracker, else the snapshot) and when it was said."""
    event = latest.get(row.conversation_id)
    if event is not None:
        return str(event.data.get("text") or ""), event.at
    for turn in reversed(row.transcript or []):
        if turn.get("role") == "user" and turn.get("at"):
            return str(turn.get("text") or ""), datetime.fromisoformat(turn["at"])
    return row.triggering_message, row.created_at


def _link_text(row: Escalation, now: datetime) -> str:
    if row.first_name:
        return row.first_name
    age = describe_minutes(max(0, round((now - row.created_at).total_seconds() / 60)))
    return f"{row.get_reason_display()} — {row.channel_label} — {age}"


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("escalations.view_escalation"):
        if request.user.has_perm("escalations.view_reviewitem"):
            return redirect("review")
        raise PermissionDenied(ESCALATIONS_ONLY)
    if request.method == "POST":
        # The search words stay in the session: the URL (history, logs, shared links) carries filters only.
        words = "" if "clear" in request.POST else request.POST.get("q", "").strip()[:200]
        request.session[SEARCH_SESSION_KEY] = words
        kept = QueueFilters.parse(QueryDict(request.POST.get("filters", "")))
        return redirect(f"{reverse('queue')}?{kept.query_string()}".rstrip("?"))
    filters = QueueFilters.parse(request.GET, request.session.get(SEARCH_SESSION_KEY, ""))
    now, thresholds = timezone.now(), OverdueThresholds.from_env()
    page = Paginator(queue(filters, request.user, now), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    latest = last_visitor_messages([row.conversation_id for row in rows])
    directory = default_directory()
    clinic_names = {clinic.id: clinic.name for clinic in directory.clinics}
    table = []
    for row in rows:
        preview, said_at = _waiting_since(row, latest)
        waited = max(0, round((now - said_at).total_seconds() / 60)) if said_at else None
        table.append(
            {
                "row": row,
                "link_text": _link_text(row, now),
                "preview": preview[:PREVIEW_LENGTH] + ("…" if len(preview) > PREVIEW_LENGTH else ""),
                "waiting": describe_minutes(waited) if waited is not None else "—",
                "sla": sla(row, now, thresholds),
                "clinic_name": clinic_names.get(row.clinic, ""),
            }
        )
    channels = sorted(set(Escalation.objects.values_list("channel", flat=True)))
    context = {
        "table": table,
        "page": page,
        "page_query": filters.query_string(),
        # SMS conversations are named after their number's hash: the number's opt-out, in one query.
        "opted_out": SmsState().opted_out_among([row.conversation_id for row in rows if row.channel == "sms"]),
        "filters": filters,
        "presets": [(label, filters.matches_preset(values), urlencode(values)) for _, label, values in PRESETS],
        "counts": headline_counts(now, thresholds),
        "thresholds": thresholds,
        "status_choices": STATUS_CHOICES,
        "reason_choices": Reason.choices,
        "priority_choices": Priority.choices,
        "language_choices": Language.choices,
        "channel_choices": _choices_from(channels, CHANNEL_LABELS),
        "clinic_choices": list(clinic_names.items()),
        "colleagues": workflow.assignable_colleagues(),
        "can_work": request.user.has_perm("escalations.work_escalation"),
    }
    return render(request, "escalations/queue.html", context)


def _canned_replies(escalation: Escalation) -> list[tuple[CannedReply, str]]:
    """Every canned reply filled for this escalation, the conversation's language first."""
    directory = default_directory()
    language = escalation.language or Language.ENGLISH
    replies = sorted(CannedReply.objects.all(), key=lambda r: (r.language != language, r.language, r.title))
    name, clinic_id = escalation.first_name, escalation.clinic
    return [
        (reply, canned.fill(reply.text, visitor_name=name, clinic_id=clinic_id, directory=directory))
        for reply in replies
    ]


@login_required
@requires("escalations.view_escalation", ESCALATIONS_ONLY)
def detail_view(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        pk = find_escalation_id(ref)
    except IdError as error:
        raise Http404(str(error)) from None
    if ref != str(pk):
        return redirect("detail", ref=str(pk))
    escalation = get_object_or_404(Escalation.objects.select_related("assigned_to"), pk=pk)
    replies = _canned_replies(escalation)
    chosen = request.GET.get("canned", "")
    reply_text = next((text for reply, text in replies if str(reply.pk) == chosen), "")
    api = RasaApi.from_env()
    transcript = full_transcript(escalation, api)
    # The page's own live refresh (static/escalations/live.js) is not another view by a person.
    if not request.headers.get(LIVE_REFRESH_HEADER):
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
        "canned_replies": replies,
        "chosen_canned": chosen,
        "reply_text": reply_text,
        "colleagues": workflow.assignable_colleagues(),
        "live": conversation_live_state(escalation, api),
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
@requires("escalations.work_escalation", WORK_ONLY)
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
            end_staff_mode_on_resolve(request.user, escalation)
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
        elif action == "reassign":
            workflow.reassign(request.user, escalation, request.POST.get("assignee", ""))
            messages.success(request, f"Assigned to {escalation.assigned_to.get_username()}.")
        elif action == "unassign":
            workflow.unassign(request.user, escalation)
            messages.success(request, "Unassigned: it is back in the unassigned queue.")
        elif action == "reopen":
            workflow.reopen(request.user, escalation, request.POST.get("reason", ""))
            messages.success(request, "Reopened; the reason is in the notes.")
        elif action == "flag":
            review.flag(request.user, escalation, request.POST.get("at", ""))
            messages.success(request, "Flagged: the message is in the questions to review.")
        elif action == "cancel-reply":
            cancel_scheduled(request.user, escalation, request.POST.get("reply", ""))
            messages.success(request, DELIVERY_NOTICES[Delivery.CANCELLED])
        else:
            raise Http404("There is no such action on an escalation.")
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    return redirect("detail", ref=str(escalation.pk))


@require_POST
@login_required
@requires("escalations.work_escalation", WORK_ONLY)
def bulk_view(request: HttpRequest) -> HttpResponse:
    kept = QueueFilters.parse(QueryDict(request.POST.get("filters", "")))
    back = f"{reverse('queue')}?{kept.query_string()}".rstrip("?")
    try:
        ids = [UUID(value) for value in request.POST.getlist("ids")]
    except ValueError:
        messages.error(request, "The selection held something that is not an escalation id.")
        return redirect(back)
    chosen = list(Escalation.objects.select_related("assigned_to").filter(pk__in=ids))
    try:
        changed = workflow.bulk(request.user, chosen, request.POST.get("action", ""), request.POST.get("assignee", ""))
    except workflow.WorkflowError as error:
        messages.error(request, f"Nothing was changed: {error}")
    else:
        messages.success(request, f"{changed} escalation(s) changed.")
    return redirect(back)


@login_required
@requires("escalations.view_dashboard", "The dashboard is open to nurses, admins and content editors.")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    days = [today - timedelta(days=offset) for offset in range(DASHBOARD_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], datetime.min.time(), timezone.get_default_timezone())
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
        **_helping_figures(days, since),
    }
    return render(request, "escalations/dashboard.html", context)


def _minutes(value: timedelta) -> float:
    return round(value.total_seconds() / 60, 1)


def _helping_figures(days: list, since: datetime) -> dict:
    """The "is the assistant helping?" figures, each with its chart and its table rows."""
    figures: dict = {}
    try:
        conversations = stats.tracker_conversations(since)
        helpfulness = stats.helpfulness_by_topic(since)
    except TrackerUnreadable:
        figures["tracker_unreadable"] = True
    else:
        per_day = stats.conversations_per_day(conversations, days)
        pairs = sorted({pair for counts in per_day.values() for pair in counts})
        labels = [(pair, f"{CHANNEL_LABELS.get(pair[0], pair[0])} · {pair[1]}") for pair in pairs]
        figures["conversation_pairs"] = [label for _, label in labels]
        figures["conversations_per_day"] = [(day, [per_day[day][pair] for pair in pairs]) for day in days]
        figures["conversations_chart"] = charts.stacked_columns(
            "conversations",
            f"Conversations per day by channel and language, last {len(days)} days",
            [(day.strftime("%m/%d"), dict(per_day[day])) for day in days],
            charts.palette_series(labels),
        )
        figures["containment"] = stats.containment(conversations)
        fallback = stats.fallback_rate_by_language(conversations)
        figures["fallback_by_language"] = fallback
        figures["fallback_chart"] = charts.horizontal_bars(
            "fallback-language",
            "Share of visitor messages not understood, by language (%)",
            [(language, round(share.percent or 0)) for language, share in fallback.items()],
        )
        figures["helpfulness"] = helpfulness
        figures["helpfulness_chart"] = charts.horizontal_bars(
            "helpfulness",
            "Share of ratings that found the answer helpful, by topic (%)",
            [(topic, round(share.percent or 0)) for topic, share in helpfulness.items()],
            colour="#2e7d32",
        )
    response = stats.first_response_by_priority(since)
    figures["response_times"] = [
        (Priority(priority).label, _minutes(times.median), _minutes(times.p90), times.count)
        for priority, times in sorted(response.items())
    ]
    figures["response_chart"] = charts.horizontal_bars(
        "response-times",
        "Median minutes to the first staff response, by priority",
        [(label, round(median)) for label, median, _, _ in figures["response_times"]],
    )
    outcomes = stats.escalations_by_reason_and_outcome(since)
    outcome_keys = [*Outcome.choices, (stats.OPEN_OUTCOME, "Still open")]
    figures["outcome_labels"] = [label for _, label in outcome_keys]
    figures["by_reason_outcome"] = [
        (label, [outcomes.get(reason, {}).get(key, 0) for key, _ in outcome_keys]) for reason, label in Reason.choices
    ]
    figures["outcome_chart"] = charts.stacked_columns(
        "reason-outcome",
        "Escalations by reason and outcome",
        [(label, dict(outcomes.get(reason, {}))) for reason, label in Reason.choices],
        charts.palette_series(outcome_keys),
    )
    return figures


AUDIT_ONLY = "The audit log is for admins: it shows who read and changed every escalation."


def _audit_entries(request: HttpRequest) -> tuple[object, dict[str, str]]:
    """The entries the audit filters (user, action, dates, escalation id or prefix) select."""
    entries = AuditEntry.objects.all()
    chosen = {name: request.GET.get(name, "").strip() for name in ("user", "action", "since", "until", "escalation")}
    if chosen["user"]:
        entries = entries.filter(username=chosen["user"])
    if chosen["action"]:
        if chosen["action"] in AuditAction.values:
            entries = entries.filter(action=chosen["action"])
        else:
            messages.error(request, "Unknown action; showing every action.")
    for name, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if chosen[name]:
            try:
                entries = entries.filter(**{lookup: datetime.fromisoformat(chosen[name]).date()})
            except ValueError:
                messages.error(request, f"The {name} date is not a date (YYYY-MM-DD); it was ignored.")
    if chosen["escalation"]:
        try:
            entries = entries.filter(escalation_id=find_escalation_id(chosen["escalation"]))
        except IdError as error:
            messages.error(request, str(error))
            entries = entries.none()
    return entries, chosen


@login_required
@requires("escalations.view_auditentry", AUDIT_ONLY)
def audit_view(request: HttpRequest) -> HttpResponse:
    entries, chosen = _audit_entries(request)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "entries": [(entry, describe(entry)) for entry in page.object_list],
        "chosen": chosen,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "users": AuditEntry.objects.values_list("username", flat=True).distinct().order_by("username"),
        "actions": AuditAction.choices,
    }
    return render(request, "escalations/audit.html", context)


@login_required
@requires("escalations.export_audit", AUDIT_ONLY)
def audit_export_view(request: HttpRequest) -> HttpResponse:
    """The filtered audit log as CSV, each entry also in words."""
    entries, _ = _audit_entries(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["at_utc", "user", "action", "escalation_id", "detail", "in_words"])
    count = 0
    for entry in entries.iterator():
        at = entry.at.astimezone(UTC).isoformat(timespec="seconds")
        writer.writerow([at, entry.username, entry.action, entry.escalation_id, entry.detail, describe(entry)])
        count += 1
    logger.info("event=staff.audit_export user_id=%s rows=%d", request.user.pk, count)
    return response


REVIEW_ONLY = "The questions to review are for content editors and admins."


@login_required
@requires("escalations.view_reviewitem", REVIEW_ONLY)
def review_view(request: HttpRequest) -> HttpResponse:
    try:
        review.collect()
    except TrackerUnreadable:
        messages.warning(request, "The conversation store cannot be read: only messages collected before are shown.")
    kind = request.GET.get("kind", "")
    kind = kind if kind in ReviewKind.values else ""
    language = request.GET.get("language", "")
    language = language if language in Language.values else ""
    groups = review.open_groups(kind=kind, language=language)
    context = {
        "groups": groups,
        "open_count": sum(len(group.items) for group in groups),
        "intents": review.domain_intents(),
        "decisions": [(value, ReviewStatus(value).label) for value in review.DECISIONS],
        "kinds": ReviewKind.choices,
        "languages": Language.choices,
        "kind": kind,
        "language": language,
        "can_label": request.user.has_perm("escalations.label_reviewitem"),
        "recent": review.recently_labelled(),
    }
    return render(request, "escalations/review.html", context)


@require_POST
@login_required
@requires("escalations.label_reviewitem", "Only content editors can label the questions to review.")
def review_label_view(request: HttpRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("items") if value.isdigit()]
    decision, post = request.POST.get("decision", ""), request.POST
    try:
        changed = review.label(request.user, ids, decision, post.get("intent", ""), post.get("note", ""))
    except review.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{changed} message(s) recorded as “{ReviewStatus(decision).label}”.")
    kept = urlencode({name: post[name] for name in ("kind", "language") if post.get(name)})
    return redirect(f"{reverse('review')}?{kept}".rstrip("?"))


def admin_login_view(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in: a signed-in account is sent on (admins) or told why not, never asked again."""
    if request.user.is_authenticated:
        if request.user.is_staff and request.user.is_active:
            target = request.GET.get("next", "")
            return redirect(target if target.startswith("/admin/") else "admin:index")
        raise PermissionDenied(
            f"You are signed in as {request.user.get_username()}. The Django admin (accounts and canned replies) "
            "is for admins only, so there is nothing to sign in to here."
        )
    return signin.login_view(request)


@login_required
@requires("escalations.export_opt_outs", "The SMS opt-out report is for admins.")
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
