"""Dashboard statistics: escalations per day by reason, time to first staff action, FAQ topics, fallbacks,
conversations per day by channel and language, containment, fallback rate by language,
helpfulness by topic, first response by priority, escalations by reason and outcome.

Escalation figures come from the escalation tables. What visitors asked comes from Rasa's SQL
tracker store (TRACKER_DATABASE_URL, by default the SQLite file Rasa writes, var/tracker.db),
read-only: its ``events`` table has one row per user message with the intent the NLU gave it
(``type_name = 'user'``, ``intent_name``), which is the same record the conversations are
replayed from, so the figures cannot drift from what was said. The fallback rate is the share
of user messages whose intent was ``nlu_fallback`` (confidence under the fallback threshold).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy
from django.utils import timezone

from clinic.ratings import RATING_SLOT
from clinic.topics import FAQ_INTENTS, topic_labels
from staff.escalations.models import Escalation
from staff.escalations.tracker import read_events, tracker_database_url

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"


def escalations_per_day(days: list[date]) -> dict[date, Counter]:
    """For each Pacific calendar day, how many escalations were recorded per reason."""
    start = datetime.combine(days[0], datetime.min.time(), timezone.get_default_timezone())
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), timezone.get_default_timezone())
    counts: dict[date, Counter] = {day: Counter() for day in days}
    for created_at, reason in Escalation.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "created_at", "reason"
    ):
        counts[created_at.astimezone(timezone.get_default_timezone()).date()][reason] += 1
    return counts


def median_time_to_first_action(since: datetime) -> tuple[timedelta | None, int]:
    """The median wait from escalation to the first staff action, and over how many escalations."""
    waits = [
        first - created
        for created, first in Escalation.objects.filter(
            created_at__gte=since, first_action_at__isnull=False
        ).values_list("created_at", "first_action_at")
    ]
    return (statistics.median(waits) if waits else None), len(waits)


@dataclass(frozen=True)
class ConversationStats:
    user_messages: int
    fallbacks: int
    top_topics: list[tuple[str, int]]  # (label, count), most asked first

    @property
    def fallback_rate(self) -> float | None:
        return self.fallbacks / self.user_messages if self.user_messages else None


def conversation_stats(since: datetime, url: str | None = None, top: int = 8) -> ConversationStats | None:
    """Intent counts of user messages since ``since``; None when the tracker store cannot be read."""
    engine = sqlalchemy.create_engine(url or tracker_database_url())
    query = sqlalchemy.text(
        "SELECT intent_name, COUNT(*) FROM events WHERE type_name = 'user' AND timestamp >= :since GROUP BY intent_name"
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"since": since.timestamp()}).fetchall()
    except sqlalchemy.exc.SQLAlchemyError as error:
        logger.warning("event=staff.tracker_store_unreadable error=%s", type(error).__name__)
        return None
    finally:
        engine.dispose()
    counts = Counter({intent or "": count for intent, count in rows})
    topics = Counter({topic_labels().get(i, i): n for i, n in counts.items() if i in FAQ_INTENTS})
    return ConversationStats(
        user_messages=sum(counts.values()),
        fallbacks=counts[FALLBACK_INTENT],
        top_topics=topics.most_common(top),
    )


# "Is the assistant helping?" (issue 20): figures over the tracker's conversations and the escalations.
NOT_RECORDED = "not recorded"
LANGUAGE_SLOT = "language"


@dataclass(frozen=True)
class Conversation:
    id: str
    started: datetime  # its first visitor message in the period
    channel: str
    language: str
    user_messages: int
    fallbacks: int


def tracker_conversations(since: datetime, url: str | None = None) -> list[Conversation]:
    """Conversations with a visitor message since ``since``; raises TrackerUnreadable."""
    events = read_events(
        "timestamp >= :since AND (type_name = 'user' OR (type_name = 'slot' AND action_name = :language))",
        {"since": since.timestamp(), "language": LANGUAGE_SLOT},
        url,
    )
    found: dict[str, dict] = {}
    languages: dict[str, str] = {}
    for event in events:
        if event.type_name == "slot":
            if isinstance(event.data.get("value"), str):
                languages[event.conversation_id] = event.data["value"]
            continue
        entry = found.setdefault(
            event.conversation_id,
            {"started": event.at, "channel": str(event.data.get("input_channel") or "unknown"), "messages": 0, "fb": 0},
        )
        entry["messages"] += 1
        entry["fb"] += (event.intent_name or "") == FALLBACK_INTENT
    return [
        Conversation(cid, e["started"], e["channel"], languages.get(cid, NOT_RECORDED), e["messages"], e["fb"])
        for cid, e in found.items()
    ]


def conversations_per_day(conversations: list[Conversation], days: list[date]) -> dict[date, Counter]:
    """For each Pacific day, conversations started per (channel, language)."""
    counts: dict[date, Counter] = {day: Counter() for day in days}
    for conversation in conversations:
        day = conversation.started.astimezone(timezone.get_default_timezone()).date()
        if day in counts:
            counts[day][(conversation.channel, conversation.language)] += 1
    return counts


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


def containment(conversations: list[Conversation]) -> Share:
    """Conversations answered without an escalation, out of all conversations."""
    ids = [c.id for c in conversations]
    escalated: set[str] = set()
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        escalated |= set(Escalation.objects.filter(conversation_id__in=batch).values_list("conversation_id", flat=True))
    return Share(sum(c.id not in escalated for c in conversations), len(conversations))


def fallback_rate_by_language(conversations: list[Conversation]) -> dict[str, Share]:
    """Visitor messages not understood, out of all visitor messages, per conversation language."""
    totals: dict[str, list[int]] = {}
    for conversation in conversations:
        total = totals.setdefault(conversation.language, [0, 0])
        total[0] += conversation.fallbacks
        total[1] += conversation.user_messages
    return {language: Share(*total) for language, total in sorted(totals.items())}


def helpfulness_by_topic(since: datetime, url: str | None = None) -> dict[str, Share]:
    """Thumbs up out of all ratings, per FAQ topic (the rated answer's intent); raises TrackerUnreadable.

    The web chat keeps a rating as an ``answer_rating`` slot whose value names the answer's
    response and the time it was sent; a later rating of the same answer replaces the earlier one.
    """
    latest: dict[tuple, str] = {}
    events = read_events(
        "timestamp >= :since AND type_name = 'slot' AND action_name = :slot",
        {"since": since.timestamp(), "slot": RATING_SLOT},
        url,
    )
    for event in events:
        value = event.data.get("value")
        if isinstance(value, dict) and value.get("value") in ("up", "down"):
            response = str(value.get("response") or "")
            latest[(event.conversation_id, response, value.get("answer_at"))] = value["value"]
    shares: dict[str, list[int]] = {}
    for (_, response, _), value in latest.items():
        intent = response.removeprefix("utter_")
        share = shares.setdefault(topic_labels().get(intent, intent), [0, 0])
        share[0] += value == "up"
        share[1] += 1
    return {topic: Share(*share) for topic, share in sorted(shares.items())}


@dataclass(frozen=True)
class ResponseTimes:
    median: timedelta
    p90: timedelta
    count: int


def first_response_by_priority(since: datetime) -> dict[str, ResponseTimes]:
    """Median and 90th percentile of the wait for the first staff action, per priority."""
    waits: dict[str, list[timedelta]] = {}
    for priority, created, first in Escalation.objects.filter(
        created_at__gte=since, first_action_at__isnull=False
    ).values_list("priority", "created_at", "first_action_at"):
        waits.setdefault(priority, []).append(first - created)
    result = {}
    for priority, values in waits.items():
        seconds = sorted(v.total_seconds() for v in values)
        # The nearest-rank 90th percentile: a wait that 90% of escalations did not exceed.
        p90 = seconds[max(0, -(-9 * len(seconds) // 10) - 1)]
        result[priority] = ResponseTimes(
            timedelta(seconds=statistics.median(seconds)), timedelta(seconds=p90), len(seconds)
        )
    return result


OPEN_OUTCOME = "open"


def escalations_by_reason_and_outcome(since: datetime) -> dict[str, Counter]:
    """For each reason, escalations since ``since`` per outcome ("open" while unresolved)."""
    counts: dict[str, Counter] = {}
    for reason, outcome in Escalation.objects.filter(created_at__gte=since).values_list("reason", "outcome"):
        counts.setdefault(reason, Counter())[outcome or OPEN_OUTCOME] += 1
    return counts
