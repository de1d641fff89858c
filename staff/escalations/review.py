"""Questions to review: what the assistant may have got wrong, collected from the tracker store.

Collected (``collect``), once per tracker event:
- every visitor message the NLU gave ``nlu_fallback``;
- every other message answered with an intent confidence under REVIEW_CONFIDENCE_THRESHOLD
  (0.6 by default), except crisis ones: safety decisions are not trained from here;
- every thumbs-down rating (the ``answer_rating`` slot the web chat sets, whose value names the
  visitor's message and the answer's response);
- every transcript turn a staff member flags (``flag``).
Only the redacted text is stored (clinic.redact: phones, e-mails, and the names the
conversation gave). Open items are grouped by similarity for the review page; a content editor
labels a group (or some of its messages) with an intent, a new topic, out of scope, or dismisses
it; ``export`` writes the labelled messages as training data and test stories.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from clinic.ratings import RATING_SLOT
from clinic.redact import redact
from clinic.review_groups import DEFAULT_DISTANCE, group_messages, most_common
from staff.escalations.models import Escalation, ReviewCursor, ReviewItem, ReviewKind, ReviewStatus
from staff.escalations.tracker import Event, TrackerUnreadable, read_events

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"
NOT_REVIEWED_INTENTS = {"crisis"}
NAME_SLOTS = ("first_name",)
LANGUAGE_SLOT = "language"
# Events this recent are read again at every collection: ids can commit out of order under
# concurrent writers; the item key makes a second read harmless.
REREAD_SECONDS = 300
MAX_GROUPED = 2000
ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "domain.yml"


@dataclass(frozen=True)
class ReviewSettings:
    confidence_threshold: float = 0.6
    group_distance: float = DEFAULT_DISTANCE

    @classmethod
    def from_env(cls) -> ReviewSettings:
        return cls(
            confidence_threshold=float(os.environ.get("REVIEW_CONFIDENCE_THRESHOLD", "0.6")),
            group_distance=float(os.environ.get("REVIEW_GROUP_DISTANCE", str(DEFAULT_DISTANCE))),
        )


def domain_intents(domain: Path = DOMAIN) -> list[str]:
    """The intents a group can be labelled with: the domain's, without the fallback."""
    intents = yaml.safe_load(domain.read_text(encoding="utf-8")).get("intents") or []
    names = [next(iter(i)) if isinstance(i, dict) else str(i) for i in intents]
    return [name for name in names if name != FALLBACK_INTENT]


def _intent(event: Event) -> tuple[str, float | None]:
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return str(intent.get("name") or event.intent_name or ""), (
        float(confidence) if isinstance(confidence, int | float) else None
    )


def _conversation_facts(conversation_ids: list[str], url: str | None) -> tuple[dict, dict]:
    """Per conversation: the names it gave (slots and escalations) and its last language."""
    names: dict[str, set[str]] = {cid: set() for cid in conversation_ids}
    languages: dict[str, str] = {}
    try:
        slots = read_events(
            "type_name = 'slot' AND sender_id IN :ids AND action_name IN :slots",
            {"ids": conversation_ids, "slots": [*NAME_SLOTS, LANGUAGE_SLOT]},
            url,
            expanding=["ids", "slots"],
        )
    except TrackerUnreadable:
        slots = []  # the escalations' names still apply
    for event in slots:
        value = event.data.get("value")
        if not isinstance(value, str):
            continue
        if event.action_name == LANGUAGE_SLOT:
            languages[event.conversation_id] = value
        else:
            names[event.conversation_id].add(value)
    for cid, name in Escalation.objects.filter(conversation_id__in=conversation_ids).values_list(
        "conversation_id", "first_name"
    ):
        names[cid].add(name)
    return names, languages


@dataclass
class _Found:
    key: str
    kind: str
    event: Event
    text: str
    predicted_intent: str = ""
    confidence: float | None = None


def _found_in(events: Iterable[Event], settings: ReviewSettings) -> list[_Found]:
    found = []
    for event in events:
        if event.type_name == "user":
            intent, confidence = _intent(event)
            text = str(event.data.get("text") or "").strip()
            if not text or text.startswith("/") or intent in NOT_REVIEWED_INTENTS:
                continue  # button payloads are not something a visitor typed
            if intent == FALLBACK_INTENT:
                kind = ReviewKind.FALLBACK
            elif confidence is not None and confidence < settings.confidence_threshold:
                kind = ReviewKind.LOW_CONFIDENCE
            else:
                continue
            found.append(_Found(f"{event.conversation_id}:{event.id}", kind, event, text, intent, confidence))
        elif event.type_name == "slot" and event.action_name == RATING_SLOT:
            value = event.data.get("value")
            if not isinstance(value, dict) or value.get("value") != "down" or not value.get("message"):
                continue
            response = str(value.get("response") or "")
            found.append(
                _Found(
                    f"{event.conversation_id}:rating:{value.get('answer_at')}",
                    ReviewKind.THUMBS_DOWN,
                    event,
                    str(value["message"]),
                    response.removeprefix("utter_"),
                )
            )
    return found


def collect(url: str | None = None, settings: ReviewSettings | None = None) -> int:
    """Adds the tracker's new fallbacks, low-confidence answers and thumbs-down; returns how many.

    Raises TrackerUnreadable when the tracker store cannot be read.
    """
    settings = settings or ReviewSettings.from_env()
    cursor, _ = ReviewCursor.objects.get_or_create(name="tracker")
    recent = timezone.now().timestamp() - REREAD_SECONDS
    events = read_events(
        "(id > :cursor OR timestamp > :recent) AND type_name IN ('user', 'slot')",
        {"cursor": cursor.last_event_id, "recent": recent},
        url,
    )
    found = _found_in(events, settings)
    known = set(ReviewItem.objects.filter(key__in=[f.key for f in found]).values_list("key", flat=True))
    found = [f for f in found if f.key not in known]
    added = 0
    if found:
        names, languages = _conversation_facts(sorted({f.event.conversation_id for f in found}), url)
        for item in found:
            cid = item.event.conversation_id
            _, created = ReviewItem.objects.get_or_create(
                key=item.key,
                defaults={
                    "kind": item.kind,
                    "conversation_id": cid,
                    "at": item.event.at,
                    "text": redact(item.text, names[cid]),
                    "language": languages.get(cid, ""),
                    "predicted_intent": item.predicted_intent,
                    "confidence": item.confidence,
                },
            )
            added += created
    if events:
        ReviewCursor.objects.filter(name="tracker").update(last_event_id=max(e.id for e in events))
    if added:
        logger.info("event=staff.review_collected items=%d", added)
    return added


def flag(user, escalation: Escalation, turn_at: str) -> ReviewItem:
    """The visitor turn said at ``turn_at`` in this escalation's conversation, flagged for review."""
    from staff.escalations.workflow import WorkflowError, audit

    text = _visitor_text_at(escalation, turn_at)
    if not text:
        raise WorkflowError("Only a visitor's message of this conversation can be flagged.")
    cid = escalation.conversation_id
    names = {escalation.first_name} | _conversation_facts([cid], None)[0][cid]
    with transaction.atomic():
        item, created = ReviewItem.objects.get_or_create(
            key=f"{cid}:flag:{turn_at}",
            defaults={
                "kind": ReviewKind.FLAGGED,
                "conversation_id": cid,
                "at": datetime.fromisoformat(turn_at),
                "text": redact(text, names),
                "language": escalation.language or "",
            },
        )
        if not created:
            raise WorkflowError("That message is already in the questions to review.")
        audit(user, "flagged", escalation)
    return item


def _visitor_text_at(escalation: Escalation, turn_at: str) -> str:
    """What the visitor said at ``turn_at``: in the snapshot, or later in the tracker."""
    try:
        at = datetime.fromisoformat(turn_at)
    except ValueError:
        return ""
    for turn in escalation.transcript or []:
        if turn.get("role") == "user" and turn.get("at") and datetime.fromisoformat(turn["at"]) == at:
            return str(turn.get("text") or "")
    try:
        events = read_events(
            "type_name = 'user' AND sender_id = :cid AND timestamp BETWEEN :low AND :high",
            {"cid": escalation.conversation_id, "low": at.timestamp() - 0.001, "high": at.timestamp() + 0.001},
        )
    except TrackerUnreadable:
        return ""
    return str(events[0].data.get("text") or "") if events else ""


@dataclass
class ReviewGroup:
    items: list[ReviewItem]
    keywords: list[str]
    suggested_intent: str
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return ", ".join(self.keywords) or self.items[0].text[:40]


def open_groups(settings: ReviewSettings | None = None, kind: str = "", language: str = "") -> list[ReviewGroup]:
    """The open items, most recent first, grouped by similarity."""
    settings = settings or ReviewSettings.from_env()
    items = ReviewItem.objects.filter(status=ReviewStatus.OPEN)
    if kind:
        items = items.filter(kind=kind)
    if language:
        items = items.filter(language=language)
    rows = list(items.order_by("-at")[:MAX_GROUPED])
    groups = []
    for group in group_messages([row.text for row in rows], settings.group_distance):
        members = [rows[i] for i in group.members]
        kinds: dict[str, int] = {}
        for member in members:
            label = ReviewKind(member.kind).label
            kinds[label] = kinds.get(label, 0) + 1
        groups.append(ReviewGroup(members, group.keywords, most_common([m.predicted_intent for m in members]), kinds))
    return groups


DECISIONS = (ReviewStatus.LABELLED, ReviewStatus.NEW_TOPIC, ReviewStatus.OUT_OF_SCOPE, ReviewStatus.DISMISSED)


class ReviewError(ValueError):
    """A label that cannot be given; the message is shown to the content editor."""


def label(user, item_ids: list[int], decision: str, intent: str = "", note: str = "") -> int:
    """Records a content editor's decision on these open items; returns how many were labelled."""
    note = note.strip()
    if decision not in (
        ReviewStatus.LABELLED,
        ReviewStatus.NEW_TOPIC,
        ReviewStatus.OUT_OF_SCOPE,
        ReviewStatus.DISMISSED,
    ):
        raise ReviewError("Choose what to do with the group.")
    if decision == ReviewStatus.LABELLED and intent not in domain_intents():
        raise ReviewError("Choose the intent these messages should have had.")
    if decision == ReviewStatus.NEW_TOPIC and not note:
        raise ReviewError("Describe the new topic in the note.")
    if len(note) > 500:
        raise ReviewError("A note can have at most 500 characters.")
    if not item_ids:
        raise ReviewError("Select at least one message.")
    changed = ReviewItem.objects.filter(pk__in=item_ids, status=ReviewStatus.OPEN).update(
        status=decision,
        intent=intent if decision == ReviewStatus.LABELLED else "",
        note=note,
        labelled_by=user,
        labelled_at=datetime.now(UTC),
    )
    logger.info("event=staff.review_labelled user_id=%s decision=%s items=%d", user.pk, decision, changed)
    return changed


def recently_labelled(limit: int = 20) -> list[ReviewItem]:
    """The latest decisions, so an editor sees what was done (and by whom)."""
    return list(
        ReviewItem.objects.exclude(status=ReviewStatus.OPEN)
        .select_related("labelled_by")
        .order_by("-labelled_at")[:limit]
    )
