"""The one backoff policy the staff webhook and the Twilio sender share."""

import pytest

from clinic import retry
from clinic.retry import RetryableFailure, with_backoff, worth_retrying


@pytest.fixture
def waits(monkeypatch):
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(retry.asyncio, "sleep", sleep)
    return slept


async def test_retryable_failures_are_tried_again_after_doubling_waits(waits):
    outcomes = iter([RetryableFailure("status 503"), RetryableFailure("TimeoutError"), "sent"])
    failures, numbers = [], []

    async def attempt(number):
        numbers.append(number)
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    result = await with_backoff(attempt, 4, 0.5, lambda number, failure: failures.append((number, failure)))
    assert result == "sent"
    assert numbers == [1, 2, 3]
    assert failures == [(1, "status 503"), (2, "TimeoutError")]
    assert waits == [0.5, 1.0]


async def test_after_the_last_attempt_it_gives_up_without_waiting_again(waits):
    async def attempt(number):
        raise RetryableFailure("status 500")

    assert await with_backoff(attempt, 3, 0.25, lambda number, failure: None) is None
    assert waits == [0.25, 0.5]


async def test_any_other_error_ends_the_retries_at_once(waits):
    async def attempt(number):
        raise ValueError("rejected")

    with pytest.raises(ValueError):
        await with_backoff(attempt, 3, 0.25, lambda number, failure: None)
    assert waits == []


@pytest.mark.parametrize("status, again", [(500, True), (503, True), (429, True), (400, False), (404, False)])
def test_server_errors_and_429_are_worth_retrying(status, again):
    assert worth_retrying(status) is again
