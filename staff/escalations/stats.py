"""Dashboard statistics: escalations per day by reason, time to first staff action, FAQ topics, fallbacks.

Escalation figures come from the escalation tables. What visitors asked comes from Rasa's SQL
tracker store (TRACKER_DATABASE_URL, by default the SQLite file Rasa writes, var/tracker.db),
read-only: its ``events`` table has one row per user message with the intent the NLU gave it
(``type_name = 'user'``, ``intent_name``), which is the same record the conversations are
replayed from, so the figures cannot drift from what was said. The fallback rate is the share
of user messages whose intent was ``nlu_fallback`` (confidence under the fallback threshold).
"""

from __future__ import annotations

import logging
import os
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy
from django.utils import timezone

from clinic.local_secrets import var_dir
from clinic.topics import FAQ_INTENTS, topic_labels
from staff.escalations.models import Escalation

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"


def tracker_database_url() -> str:
    """Read-only by default: the console must never create or change Rasa's file."""
    return os.environ.get("TRACKER_DATABASE_URL") or f"sqlite:///file:{var_dir() / 'tracker.db'}?mode=ro&uri=true"


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
