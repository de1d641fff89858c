"""Sending SMS through Twilio's REST API with the twilio library's async client.

The API base URL is configurable so tests (and staging) can point at a compatible server;
in production it is Twilio's. Sends are retried on 5xx, 429, timeouts and network errors.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass

import aiohttp
import phonenumbers

from clinic.conversation_ids import SMS_PREFIX
from clinic.local_secrets import local_secret
from clinic.retry import RetryableFailure, with_backoff, worth_retrying

logger = logging.getLogger(__name__)
TWILIO_API = "https://api.twilio.com"


@dataclass(frozen=True)
class SmsSettings:
    account_sid: str
    auth_token: str
    from_number: str
    public_url: str
    api_base: str = TWILIO_API
    send_attempts: int = 4
    first_delay: float = 0.5
    send_timeout: float = 10.0
    rate_limit: int = 20
    rate_window: float = 600.0

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.from_number and self.public_url)

    @classmethod
    def from_env(cls) -> SmsSettings:
        env = os.environ
        return cls(
            account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            from_number=env.get("TWILIO_FROM_NUMBER", ""),
            public_url=env.get("SMS_PUBLIC_URL", ""),
            api_base=env.get("TWILIO_API_BASE", TWILIO_API),
            send_attempts=int(env.get("SMS_SEND_ATTEMPTS", "4")),
            first_delay=float(env.get("SMS_SEND_FIRST_DELAY", "0.5")),
            rate_limit=int(env.get("SMS_RATE_LIMIT", "20")),
            rate_window=float(env.get("SMS_RATE_WINDOW_SECONDS", "600")),
        )


def e164(phone_number: str) -> str:
    """The number as Twilio writes it (+19495550123); US numbers may be typed in any format."""
    try:
        parsed = phonenumbers.parse(phone_number, "US")
    except phonenumbers.NumberParseException:
        return phone_number.strip()
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def conversation_id(phone_number: str) -> str:
    """The conversation id of a phone number: a keyed hash, so the number appears nowhere.

    The number is written as E.164 first, so a number typed into the contact form as
    "(949) 555-0123" is the same sender as Twilio's "+19495550123": its opt-out applies.
    """
    digest = hmac.new(
        local_secret("SMS_HASH_KEY", "sms-hash-key").encode(), e164(phone_number).encode(), hashlib.sha256
    ).hexdigest()
    return f"{SMS_PREFIX}{digest[:32]}"


class TwilioSender:
    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self._client = None

    def _twilio(self):
        if self._client is None:
            from twilio.http.async_http_client import AsyncTwilioHttpClient
            from twilio.rest import Client

            client = Client(self.settings.account_sid, self.settings.auth_token, http_client=AsyncTwilioHttpClient())
            client.api.base_url = self.settings.api_base
            self._client = client
        return self._client

    async def close(self) -> None:
        """Closes the HTTP session; a sender used outside a long-running server must be closed."""
        if self._client is not None:
            await self._client.http_client.close()
            self._client = None

    async def send(self, to_number: str, body: str, log_id: str) -> str | None:
        """Sends one SMS; returns Twilio's MessageSid, or None after the last failed attempt."""
        from twilio.base.exceptions import TwilioRestException

        async def create(_attempt: int) -> str:
            try:
                message = await asyncio.wait_for(
                    self._twilio().messages.create_async(to=to_number, from_=self.settings.from_number, body=body),
                    timeout=self.settings.send_timeout,
                )
                return message.sid
            except TwilioRestException as error:
                if not worth_retrying(error.status):
                    raise
                raise RetryableFailure(f"status {error.status}") from error
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                raise RetryableFailure(type(error).__name__) from error

        def log_retry(attempt: int, failure: str) -> None:
            logger.warning("event=sms.send_retry reply_to=%s attempt=%d failure=%s", log_id, attempt, failure)

        try:
            sid = await with_backoff(create, self.settings.send_attempts, self.settings.first_delay, log_retry)
        except TwilioRestException as error:
            logger.error("event=sms.send_rejected reply_to=%s status=%s", log_id, error.status)
            return None
        if sid is not None:
            return sid
        logger.error("event=sms.send_failed reply_to=%s", log_id)
        return None
