"""The escalation store: the one module that writes and reads escalation records.

The schema is the staff console's (``staff.escalations.models.Escalation``, migrated by
Django); SQLite by default, PostgreSQL when ESCALATIONS_DATABASE_URL says so. A record is
keyed by the conversation and the triggering message, so a retried action finds the record
it already wrote. When the database cannot be written, the record goes to a durable local
outbox (one JSON file per record, written atomically) and is written later by
``drain_outbox``; nothing a visitor said is lost.
"""

from __future__ import annotations

import argparse
import builtins
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

from clinic.conversation_ids import checked
from clinic.local_secrets import var_dir

logger = logging.getLogger(__name__)

# "crisis" is suicide or self-harm; the other urgent reasons are the other kinds of crisis.
URGENT_REASONS = ("crisis", "overdose", "medical_emergency", "other_in_danger")
REASONS = (*URGENT_REASONS, "medical_advice", "request_human", "appointment", "fallback")
ID_NAMESPACE = uuid.UUID("8a4f3c1e-5d2b-4e6f-9a7c-0b1d2e3f4a5b")


def priority_for(reason: str) -> str:
    return "urgent" if reason in URGENT_REASONS else "normal"


def escalation_id(idempotency_key: str) -> uuid.UUID:
    """Same key, same id: the outbox copy and the stored row share it."""
    return uuid.uuid5(ID_NAMESPACE, idempotency_key)


@dataclass
class NewEscalation:
    idempotency_key: str
    channel: str
    conversation_id: str
    reason: str
    triggering_message: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    first_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    best_time: str = ""
    consent: bool = False
    clinic: str = ""
    # The conversation's language ("en" or "es"; None when not recorded), and whether a
    # Spanish-speaking staff member should answer: a Spanish conversation, or a visitor who asked for one.
    language: str | None = None
    needs_spanish_speaker: bool = False
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    # Set when staff were alerted while the record was still waiting in the outbox.
    notified: bool = False

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown escalation reason {self.reason!r}")
        # The console puts the id into Rasa API URLs: only a well-formed id is ever stored.
        checked(self.conversation_id)
        if not self.consent:
            # Contact details are kept only with consent to be contacted.
            self.contact_phone = self.contact_email = self.best_time = ""

    @property
    def id(self) -> uuid.UUID:
        return escalation_id(self.idempotency_key)

    @property
    def priority(self) -> str:
        return priority_for(self.reason)


@dataclass(frozen=True)
class RecordOutcome:
    id: uuid.UUID
    stored: bool  # False: kept in the outbox until the database is back
    created: bool  # False: a retry found the record already there, or an open one was updated
    # The open urgent record of the conversation took this message instead of a new record;
    # reason_changed: and its reason is now another kind of crisis (staff are alerted again).
    merged: bool = False
    reason_changed: bool = False


def default_outbox() -> Path:
    return Path(os.environ.get("ESCALATIONS_OUTBOX", var_dir() / "outbox"))


def ensure_django() -> None:
    """Configures Django (the owner of the schema) on first use, never at import."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staff.settings")
        django.setup()


class EscalationStore:
    def __init__(self, outbox: Path | None = None) -> None:
        self.outbox = outbox or default_outbox()

    def record(self, escalation: NewEscalation, merge_within: timedelta | None = None) -> RecordOutcome:
        """Writes the record once; on a database failure keeps it in the outbox instead.

        With ``merge_within``, an urgent escalation updates the conversation's open urgent record
        created within that time instead of adding one: one record per crisis, not per message.
        """
        from django.db import DatabaseError

        try:
            if merge_within is not None and escalation.priority == "urgent":
                merged = self._merge_urgent(escalation, merge_within)
                if merged is not None:
                    return merged
            created = self._write(escalation)
        except DatabaseError as error:
            logger.error(
                "event=escalation.store_unavailable escalation_id=%s error=%s",
                escalation.id,
                type(error).__name__,
            )
            self._to_outbox(escalation)
            return RecordOutcome(escalation.id, stored=False, created=True)
        return RecordOutcome(escalation.id, stored=True, created=created)

    def _write(self, escalation: NewEscalation) -> bool:
        ensure_django()
        from django.db import close_old_connections, transaction

        from staff.escalations.models import Escalation

        close_old_connections()
        with transaction.atomic():
            _, created = Escalation.objects.get_or_create(
                idempotency_key=escalation.idempotency_key,
                defaults={
                    "id": escalation.id,
                    "created_at": datetime.fromisoformat(escalation.created_at),
                    "channel": escalation.channel,
                    "conversation_id": escalation.conversation_id,
                    "reason": escalation.reason,
                    "priority": escalation.priority,
                    "first_name": escalation.first_name,
                    "contact_phone": escalation.contact_phone,
                    "contact_email": escalation.contact_email,
                    "best_time": escalation.best_time,
                    "consent": escalation.consent,
                    "clinic": escalation.clinic,
                    "language": escalation.language,
                    "needs_spanish_speaker": escalation.needs_spanish_speaker,
                    "triggering_message": escalation.triggering_message,
                    "transcript": escalation.transcript,
                    "notified_at": datetime.now(UTC) if escalation.notified else None,
                },
            )
        return created

    def _merge_urgent(self, escalation: NewEscalation, window: timedelta) -> RecordOutcome | None:
        ensure_django()
        from django.db import close_old_connections, transaction

        from staff.escalations.models import Escalation, Status

        close_old_connections()
        since = datetime.fromisoformat(escalation.created_at) - window
        with transaction.atomic():
            open_record = (
                Escalation.objects.select_for_update()
                .filter(conversation_id=escalation.conversation_id, priority="urgent", created_at__gte=since)
                .exclude(status=Status.RESOLVED)
                .order_by("-created_at")
                .first()
            )
            if open_record is None:
                return None
            # A retried action finds either the record it created or the transcript it already merged.
            if open_record.idempotency_key == escalation.idempotency_key or (
                open_record.transcript == escalation.transcript
            ):
                return RecordOutcome(open_record.id, stored=True, created=False)
            reason_changed = open_record.reason != escalation.reason
            # The latest kind of danger is the one staff must act on; every message is kept.
            open_record.reason = escalation.reason
            open_record.triggering_message = "\n".join(
                text for text in (open_record.triggering_message, escalation.triggering_message) if text
            )
            open_record.transcript = escalation.transcript
            open_record.save(update_fields=["reason", "triggering_message", "transcript"])
        logger.info(
            "event=escalation.merged escalation_id=%s reason=%s reason_changed=%s",
            open_record.id,
            escalation.reason,
            reason_changed,
        )
        return RecordOutcome(open_record.id, stored=True, created=False, merged=True, reason_changed=reason_changed)

    def _outbox_path(self, escalation: NewEscalation) -> Path:
        return self.outbox / f"{sha256(escalation.idempotency_key.encode()).hexdigest()}.json"

    def _to_outbox(self, escalation: NewEscalation) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self._outbox_path(escalation)
        partial = target.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(asdict(escalation), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)

    def mark_notified_in_outbox(self, escalation: NewEscalation) -> None:
        escalation.notified = True
        self._to_outbox(escalation)

    def pending_in_outbox(self) -> int:
        return len(list(self.outbox.glob("*.json"))) if self.outbox.exists() else 0

    def drain_outbox(self) -> int:
        """Writes every outbox record to the database; returns how many were written."""
        from django.db import DatabaseError

        written = 0
        for path in sorted(self.outbox.glob("*.json")) if self.outbox.exists() else []:
            escalation = NewEscalation(**json.loads(path.read_text(encoding="utf-8")))
            try:
                self._write(escalation)
            except DatabaseError as error:
                logger.error(
                    "event=escalation.outbox_retry_failed escalation_id=%s error=%s",
                    escalation.id,
                    type(error).__name__,
                )
                break
            path.unlink()
            written += 1
            logger.info("event=escalation.outbox_written escalation_id=%s", escalation.id)
        return written

    def unnotified(self) -> builtins.list[dict[str, str]]:
        """Records whose staff notification has not been delivered yet."""
        ensure_django()
        from staff.escalations.models import Escalation

        rows = Escalation.objects.filter(notified_at__isnull=True).order_by("created_at")
        return [{"id": str(r.id), "reason": r.reason, "priority": r.priority} for r in rows]

    def mark_notified(self, escalation_id_: uuid.UUID | str) -> None:
        ensure_django()
        from staff.escalations.models import Escalation

        Escalation.objects.filter(id=escalation_id_).update(notified_at=datetime.now(UTC))

    def clear_transcripts(self, conversation_ids: builtins.list[str], created_before: datetime) -> int:
        """Empties the transcript and triggering message of these conversations' records and of
        every record created before ``created_before``; returns how many records changed."""
        ensure_django()
        from django.db.models import Q

        from staff.escalations.models import Escalation

        holding_text = Escalation.objects.exclude(transcript=[], triggering_message="")
        cleared = holding_text.filter(created_at__lt=created_before).update(
            transcript=[], triggering_message="", search_text=""
        )
        for start in range(0, len(conversation_ids), 500):
            batch = Q(conversation_id__in=conversation_ids[start : start + 500])
            cleared += holding_text.filter(batch).update(transcript=[], triggering_message="", search_text="")
        return cleared

    def forget_conversation(self, conversation_id: str) -> int:
        """Deletes the conversation's records, stored or waiting in the outbox; returns how many."""
        ensure_django()
        from staff.escalations.models import Escalation

        deleted, _ = Escalation.objects.filter(conversation_id=conversation_id).delete()
        for path in sorted(self.outbox.glob("*.json")) if self.outbox.exists() else []:
            if json.loads(path.read_text(encoding="utf-8")).get("conversation_id") == conversation_id:
                path.unlink()
                deleted += 1
        return deleted

    def list(self, status: str | None = None, reason: str | None = None) -> builtins.list[dict[str, Any]]:
        ensure_django()
        from staff.escalations.models import Escalation

        rows = Escalation.objects.all().order_by("created_at")
        if status:
            rows = rows.filter(status=status)
        if reason:
            rows = rows.filter(reason=reason)
        return [
            {
                "id": str(r.id),
                "created_at": r.created_at.isoformat(),
                "channel": r.channel,
                "conversation_id": r.conversation_id,
                "reason": r.reason,
                "priority": r.priority,
                "status": r.status,
                "first_name": r.first_name,
                "contact_phone": r.contact_phone,
                "contact_email": r.contact_email,
                "best_time": r.best_time,
                "consent": r.consent,
                "clinic": r.clinic,
                "language": r.language,
                "needs_spanish_speaker": r.needs_spanish_speaker,
                "triggering_message": r.triggering_message,
                "transcript": r.transcript,
                "notified": r.notified_at is not None,
            }
            for r in rows
        ]


def migrate() -> None:
    """Creates or updates the escalation tables (the console's migrations)."""
    ensure_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clinic.escalations", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="print escalations as JSON")
    listing.add_argument("--status", choices=["new", "in_progress", "resolved"])
    listing.add_argument("--reason", choices=REASONS)
    commands.add_parser("drain", help="write records waiting in the outbox to the database")
    commands.add_parser("migrate", help="create or update the escalation tables")
    args = parser.parse_args(argv)
    store = EscalationStore()
    if args.command == "list":
        print(json.dumps(store.list(status=args.status, reason=args.reason), indent=2))
    elif args.command == "drain":
        print(json.dumps({"written": store.drain_outbox(), "waiting": store.pending_in_outbox()}))
    else:
        migrate()


if __name__ == "__main__":
    main()
