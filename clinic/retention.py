"""Conversation retention: purge conversations idle for longer than the retention period, and
forget one conversation on request.

A conversation's age is the time of its last event, so an ongoing conversation is never cut
in half. Purging deletes its tracker events (Rasa's SQL tracker store, SQLite or PostgreSQL,
as the endpoints file configures it) and the transcripts kept in its escalation records; the
records themselves stay for the clinic's follow-up. Forgetting deletes the tracker events,
the escalation records (and any still waiting in the outbox) and the SMS channel's state of
that conversation.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from clinic.contact import normalise_us_phone
from clinic.escalations import EscalationStore
from clinic.sms_sender import conversation_id as sms_conversation_id
from clinic.sms_state import SmsState

logger = logging.getLogger(__name__)
DEFAULT_RETENTION_DAYS = 90
BATCH = 500


def retention_days() -> int:
    return int(os.environ.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


POOLED_SQL_TRACKER_STORE = "clinic.tracker_store.PooledSQLTrackerStore"


def keeps_rasas_events_table(store_type: str | None) -> bool:
    """Rasa's SQL tracker store (``type: SQL`` in any case, as Rasa reads it) or the pooled one: the same table."""
    return (store_type or "").lower() == "sql" or store_type == POOLED_SQL_TRACKER_STORE


def default_endpoints() -> Path:
    return Path(os.environ.get("RASA_ENDPOINTS", "endpoints.yml"))


class TrackerEvents:
    """The ``events`` table of the SQL tracker store that an endpoints file configures."""

    def __init__(self, endpoints: Path) -> None:
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.utils.endpoints import read_endpoint_config

        config = read_endpoint_config(str(endpoints), "tracker_store")
        if config is None or not keeps_rasas_events_table(config.type):
            raise SystemExit(
                f"{endpoints}: retention needs an SQL tracker store (type: SQL or {POOLED_SQL_TRACKER_STORE})"
            )
        store = SQLTrackerStore(host=config.url, **config.kwargs)
        self.engine = store.engine
        self.table = SQLTrackerStore.SQLEvent.__table__

    def idle_since(self, cutoff: float) -> list[str]:
        """Conversations whose last event is older than ``cutoff`` (a Unix time)."""
        from sqlalchemy import func, select

        query = (
            select(self.table.c.sender_id)
            .group_by(self.table.c.sender_id)
            .having(func.max(self.table.c.timestamp) < cutoff)
        )
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(query)]

    def delete(self, conversation_ids: list[str]) -> int:
        """Deletes every event of these conversations; returns how many."""
        deleted = 0
        with self.engine.begin() as connection:
            for batch in _batches(conversation_ids):
                deleted += connection.execute(self.table.delete().where(self.table.c.sender_id.in_(batch))).rowcount
        return deleted


def _batches(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


@dataclass(frozen=True)
class PurgeReport:
    conversations: int
    events: int
    escalation_transcripts: int
    sms_rows: int


@dataclass(frozen=True)
class ForgetReport:
    conversation_id: str
    events: int
    escalations: int
    sms_rows: int


def purge(
    older_than_days: int,
    endpoints: Path,
    escalations: EscalationStore | None = None,
    sms: SmsState | None = None,
    now: float | None = None,
) -> PurgeReport:
    """Deletes conversations idle for more than ``older_than_days`` days and their transcripts."""
    if older_than_days < 0:
        raise ValueError("the retention period cannot be negative")
    cutoff = (time.time() if now is None else now) - older_than_days * 86400
    tracker = TrackerEvents(endpoints)
    conversation_ids = tracker.idle_since(cutoff)
    # Transcripts first: were the run interrupted, the next one still finds the conversations.
    cleared = (escalations or EscalationStore()).clear_transcripts(
        conversation_ids, created_before=datetime.fromtimestamp(cutoff, tz=UTC)
    )
    report = PurgeReport(
        conversations=len(conversation_ids),
        events=tracker.delete(conversation_ids),
        escalation_transcripts=cleared,
        sms_rows=(sms or SmsState()).purge_before(before=cutoff),
    )
    logger.info("event=retention.purged older_than_days=%s %s", older_than_days, _fields(report))
    return report


def forget(
    conversation_id: str,
    endpoints: Path,
    escalations: EscalationStore | None = None,
    sms: SmsState | None = None,
) -> ForgetReport:
    """Deletes everything kept about one conversation."""
    report = ForgetReport(
        conversation_id=conversation_id,
        escalations=(escalations or EscalationStore()).forget_conversation(conversation_id),
        sms_rows=(sms or SmsState()).forget(conversation_id),
        events=TrackerEvents(endpoints).delete([conversation_id]),
    )
    logger.info("event=retention.forgotten %s", _fields(report))
    return report


def _fields(report: PurgeReport | ForgetReport) -> str:
    return " ".join(f"{name}={value}" for name, value in asdict(report).items())


def main(argv: list[str] | None = None) -> None:
    # Rasa expands every ${VAR} of the endpoints file, the action endpoint's token included; the
    # retention commands never call the action server, so a placeholder stands in when it is unset.
    os.environ.setdefault("ACTION_SERVER_TOKEN", "unused-by-retention")
    parser = argparse.ArgumentParser(prog="python -m clinic.retention", description=__doc__)
    parser.add_argument(
        "--endpoints", type=Path, default=default_endpoints(), help="Rasa endpoints file (default: $RASA_ENDPOINTS)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    purging = commands.add_parser("purge", help="delete conversations idle for longer than the retention period")
    purging.add_argument("--older-than-days", type=int, default=retention_days(), help="default: $RETENTION_DAYS")
    forgetting = commands.add_parser("forget", help="delete everything about one conversation")
    who = forgetting.add_mutually_exclusive_group(required=True)
    who.add_argument("conversation_id", nargs="?", help="the conversation id (sender id)")
    who.add_argument("--phone", help="an SMS sender's phone number; its conversation is forgotten")
    args = parser.parse_args(argv)
    if args.command == "purge":
        if args.older_than_days < 0:
            parser.error("--older-than-days cannot be negative")
        report: PurgeReport | ForgetReport = purge(args.older_than_days, args.endpoints)
    else:
        conversation = args.conversation_id or sms_conversation_id(normalise_us_phone(args.phone) or args.phone)
        report = forget(conversation, args.endpoints)
    print(json.dumps(asdict(report)))


if __name__ == "__main__":
    main()
