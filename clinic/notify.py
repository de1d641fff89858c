"""Staff notification: a signed JSON webhook carrying only the escalation id, reason and priority.

No name, contact detail or message text ever goes into the notification; staff open the
record in the console. The body is signed with HMAC-SHA256 over "<timestamp>.<body>" in
the ``X-Clinic-Signature`` header (``t=<unix time>,v1=<hex digest>``) so the receiver can
check it came from us and is fresh.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import dataclass

import aiohttp

from clinic.retry import RetryableFailure, with_backoff, worth_retrying

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Clinic-Signature"


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str
    attempts: int = 5
    first_delay: float = 0.5
    timeout: float = 5.0

    @classmethod
    def from_env(cls) -> WebhookSettings | None:
        """None when no webhook is configured (the console's queue is then the only alert)."""
        url = os.environ.get("STAFF_WEBHOOK_URL")
        if not url:
            return None
        return cls(
            url=url,
            secret=os.environ.get("STAFF_WEBHOOK_SECRET", ""),
            attempts=int(os.environ.get("STAFF_WEBHOOK_ATTEMPTS", "5")),
            first_delay=float(os.environ.get("STAFF_WEBHOOK_FIRST_DELAY", "0.5")),
        )


def notification_body(escalation_id: str, reason: str, priority: str) -> bytes:
    payload = {"event": "escalation.created", "id": escalation_id, "reason": reason, "priority": priority}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def sign(body: bytes, secret: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(body: bytes, header: str, secret: str, tolerance: int = 300, now: int | None = None) -> bool:
    """The receiver's check, used by tests and by anyone building a receiver in Python."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or int(time.time())) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(body, secret, timestamp), header)


async def notify_staff(settings: WebhookSettings, escalation_id: str, reason: str, priority: str) -> bool:
    """POSTs the notification, retrying 5xx, 429 and network errors with exponential backoff."""
    body = notification_body(escalation_id, reason, priority)
    timeout = aiohttp.ClientTimeout(total=settings.timeout)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def post(attempt: int) -> bool:
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(body, settings.secret, int(time.time())),
            }
            try:
                async with session.post(settings.url, data=body, headers=headers) as response:
                    if response.status < 300:
                        logger.info("event=staff_notified escalation_id=%s attempt=%d", escalation_id, attempt)
                        return True
                    if not worth_retrying(response.status):
                        logger.error(
                            "event=staff_notify_rejected escalation_id=%s status=%d", escalation_id, response.status
                        )
                        return False
                    raise RetryableFailure(f"status {response.status}")
            except (TimeoutError, aiohttp.ClientError) as error:
                raise RetryableFailure(type(error).__name__) from error

        def log_retry(attempt: int, failure: str) -> None:
            logger.warning(
                "event=staff_notify_retry escalation_id=%s attempt=%d failure=%s", escalation_id, attempt, failure
            )

        notified = await with_backoff(post, settings.attempts, settings.first_delay, log_retry)
    if notified is not None:
        return notified
    logger.error("event=staff_notify_failed escalation_id=%s", escalation_id)
    return False
