"""Staff notification: signed, minimal, retried; tested against a webhook receiver on loopback."""

import asyncio
import json
import uuid

import pytest
from aiohttp import web

from clinic.alerts import escalate, retry_pending
from clinic.escalations import EscalationStore
from clinic.notify import SIGNATURE_HEADER, WebhookSettings, notify_staff, sign, verify
from tests.support.escalations import new_escalation

SECRET = "test-secret"


@pytest.fixture
async def receiver():
    """A webhook receiver that fails the first ``fail_first`` calls with 503."""
    state = {"fail_first": 0, "calls": []}

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        state["calls"].append({"body": body, "signature": request.headers.get(SIGNATURE_HEADER)})
        if len(state["calls"]) <= state["fail_first"]:
            return web.Response(status=503)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    state["settings"] = WebhookSettings(url=f"http://127.0.0.1:{port}/hook", secret=SECRET, first_delay=0.01)
    yield state
    await runner.cleanup()


def test_signature_round_trip_and_tamper_detection():
    body = b'{"id":"1"}'
    header = sign(body, SECRET, 1_700_000_000)
    assert verify(body, header, SECRET, now=1_700_000_010)
    assert not verify(b'{"id":"2"}', header, SECRET, now=1_700_000_010)
    assert not verify(body, header, "other-secret", now=1_700_000_010)
    assert not verify(body, header, SECRET, now=1_700_009_999)
    assert not verify(body, "garbage", SECRET)


async def test_notification_carries_only_id_reason_and_priority(receiver):
    assert await notify_staff(receiver["settings"], "abc", "medical_advice", "normal")
    [call] = receiver["calls"]
    assert json.loads(call["body"]) == {
        "event": "escalation.created",
        "id": "abc",
        "reason": "medical_advice",
        "priority": "normal",
    }
    assert verify(call["body"], call["signature"], SECRET)


async def test_notification_is_retried_with_backoff_after_server_errors(receiver):
    receiver["fail_first"] = 2
    assert await notify_staff(receiver["settings"], "abc", "crisis", "urgent")
    assert len(receiver["calls"]) == 3


async def test_notification_gives_up_after_the_configured_attempts(receiver):
    receiver["fail_first"] = 99
    settings = WebhookSettings(url=receiver["settings"].url, secret=SECRET, attempts=3, first_delay=0.01)
    assert not await notify_staff(settings, "abc", "crisis", "urgent")
    assert len(receiver["calls"]) == 3


async def test_unreachable_webhook_does_not_raise():
    settings = WebhookSettings(url="http://127.0.0.1:9/hook", secret=SECRET, attempts=2, first_delay=0.01)
    assert not await notify_staff(settings, "abc", "crisis", "urgent")


async def test_escalate_records_and_notifies_once(receiver, escalation_db, tmp_path):
    store = EscalationStore(outbox=tmp_path / "outbox")
    escalation = new_escalation(reason="crisis", consent=False)
    outcome = await escalate(escalation, store=store, webhook=receiver["settings"])
    await escalate(escalation, store=store, webhook=receiver["settings"])
    assert len(receiver["calls"]) == 1
    assert json.loads(receiver["calls"][0]["body"])["id"] == str(outcome.id)
    assert str(outcome.id) not in {row["id"] for row in await asyncio.to_thread(store.unnotified)}


async def test_failed_notifications_are_sent_by_the_retry_pass(receiver, escalation_db, tmp_path):
    store = EscalationStore(outbox=tmp_path / "outbox")
    receiver["fail_first"] = 99
    dead = WebhookSettings(url=receiver["settings"].url, secret=SECRET, attempts=1, first_delay=0.01)
    outcome = await escalate(new_escalation(idempotency_key=f"k-{uuid.uuid4().hex}"), store=store, webhook=dead)
    assert str(outcome.id) in {row["id"] for row in await asyncio.to_thread(store.unnotified)}
    receiver["fail_first"] = 0
    await retry_pending(store, receiver["settings"])
    assert str(outcome.id) not in {row["id"] for row in await asyncio.to_thread(store.unnotified)}


async def test_a_merged_crisis_message_alerts_staff_again_only_when_the_kind_changes(receiver, escalation_db, tmp_path):
    store = EscalationStore(outbox=tmp_path / "outbox")
    conversation = f"conv-{uuid.uuid4().hex}"

    def message(key, reason, text):
        return new_escalation(
            idempotency_key=f"{conversation}:{key}",
            conversation_id=conversation,
            reason=reason,
            triggering_message=text,
            transcript=[{"role": "user", "text": text, "at": None}],
            consent=False,
        )

    first = await escalate(message("m1", "crisis", "i want to die"), store=store, webhook=receiver["settings"])
    same_kind = await escalate(message("m2", "crisis", "please"), store=store, webhook=receiver["settings"])
    new_kind = await escalate(message("m3", "overdose", "i took them all"), store=store, webhook=receiver["settings"])
    assert first.id == same_kind.id == new_kind.id
    assert [json.loads(call["body"])["reason"] for call in receiver["calls"]] == ["crisis", "overdose"]
