"""Retrying a call to another service with exponential backoff (the staff webhook, Twilio)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

Result = TypeVar("Result")


class RetryableFailure(Exception):
    """A failure worth another attempt: a server error, a 429 or a network error."""


def worth_retrying(status: int) -> bool:
    """Whether an HTTP status may succeed on another attempt (any other 4xx never will)."""
    return status >= 500 or status == 429


async def with_backoff(
    attempt: Callable[[int], Awaitable[Result]],
    attempts: int,
    first_delay: float,
    on_failure: Callable[[int, str], None],
) -> Result | None:
    """``attempt``'s result, after up to ``attempts`` tries that raised ``RetryableFailure``;
    None when the last one did too. Each try is given its number (from 1); the wait doubles
    after each failure, from ``first_delay``.
    """
    delay = first_delay
    for number in range(1, attempts + 1):
        try:
            return await attempt(number)
        except RetryableFailure as failure:
            on_failure(number, str(failure))
        if number < attempts:
            await asyncio.sleep(delay)
            delay *= 2
    return None
