"""Recording an escalation and alerting staff, with retries for whatever failed."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta

from clinic.escalations import EscalationStore, NewEscalation, RecordOutcome
from clinic.notify import WebhookSettings, notify_staff

logger = logging.getLogger(__name__)
_retry_tasks: dict[int, asyncio.Task] = {}


def retry_interval() -> float:
    return float(os.environ.get("ESCALATIONS_RETRY_SECONDS", "30"))


def urgent_merge_window() -> timedelta:
    """How long later crisis messages of a conversation update its open urgent escalation."""
    return timedelta(minutes=float(os.environ.get("CRISIS_ESCALATION_WINDOW_MINUTES", "60")))


async def escalate(
    escalation: NewEscalation,
    store: EscalationStore | None = None,
    webhook: WebhookSettings | None = None,
) -> RecordOutcome:
    """Records the escalation (or queues it) and alerts staff once; never raises on outages."""
    store = store or EscalationStore()
    webhook = webhook if webhook is not None else WebhookSettings.from_env()
    outcome = await asyncio.to_thread(store.record, escalation, urgent_merge_window())
    logger.info(
        "event=escalation.recorded escalation_id=%s reason=%s priority=%s stored=%s created=%s merged=%s",
        outcome.id,
        escalation.reason,
        escalation.priority,
        outcome.stored,
        outcome.created,
        outcome.merged,
    )
    # A merged message is not a new alert, unless the danger is now of another kind.
    if webhook and (outcome.created or outcome.reason_changed):
        if await notify_staff(webhook, str(outcome.id), escalation.reason, escalation.priority):
            if outcome.stored:
                await asyncio.to_thread(store.mark_notified, outcome.id)
            else:
                await asyncio.to_thread(store.mark_notified_in_outbox, escalation)
    start_retry_loop(store, webhook)
    return outcome


async def retry_pending(store: EscalationStore, webhook: WebhookSettings | None) -> None:
    """Writes queued records, then alerts staff about any record not yet notified."""
    await asyncio.to_thread(store.drain_outbox)
    if not webhook:
        return
    for pending in await asyncio.to_thread(store.unnotified):
        if await notify_staff(webhook, pending["id"], pending["reason"], pending["priority"]):
            await asyncio.to_thread(store.mark_notified, pending["id"])


def start_retry_loop(store: EscalationStore, webhook: WebhookSettings | None) -> None:
    """One background retry task per event loop, started by the first escalation."""
    loop = asyncio.get_running_loop()
    task = _retry_tasks.get(id(loop))
    if task is not None and not task.done():
        return

    async def run_forever() -> None:
        while True:
            await asyncio.sleep(retry_interval())
            try:
                await retry_pending(store, webhook)
            except Exception:  # the loop must outlive any single failure; it logs and goes on
                logger.exception("event=escalation.retry_loop_error")

    _retry_tasks[id(loop)] = loop.create_task(run_forever())
