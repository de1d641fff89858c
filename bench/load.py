"""A REST-channel load generator: concurrent clients, each holding realistic conversations.

Each client starts a conversation under a fresh sender id, says one script's messages in turn
(waiting for every reply, as a person would), then starts the next conversation, until the
deadline. Latency is measured per message from send to the complete reply.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import aiohttp


@dataclass
class Turn:
    sender: str
    text: str
    status: int | None  # None: no HTTP answer (connection refused or reset, timeout)
    seconds: float
    replies: list[dict] = field(default_factory=list)
    finished: float = field(default_factory=time.perf_counter)

    @property
    def answered(self) -> bool:
        return self.status == 200


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    turns: list[Turn]

    @property
    def answered(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.answered]

    @property
    def errors(self) -> int:
        return len(self.turns) - len(self.answered)

    @property
    def messages_per_second(self) -> float:
        return len(self.answered) / self.seconds if self.seconds else 0.0

    def latency_ms(self, q: float) -> float:
        return percentile([turn.seconds * 1000 for turn in self.answered], q)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


async def say(session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float = 60) -> Turn:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}, timeout=timeout) as response:
            replies = await response.json(content_type=None) if response.status == 200 else []
            return Turn(sender, text, response.status, time.perf_counter() - started, replies or [])
    except (TimeoutError, aiohttp.ClientError):
        return Turn(sender, text, None, time.perf_counter() - started)


async def _client(
    session: aiohttp.ClientSession,
    url: str,
    scripts: Sequence[Sequence[str]],
    senders: itertools.count,
    prefix: str,
    deadline: float,
    turns: list[Turn],
) -> None:
    for script in itertools.cycle(scripts):
        sender = f"{prefix}-{next(senders)}"
        for text in script:
            if time.perf_counter() >= deadline:
                return
            turns.append(await say(session, url, sender, text))


async def run_load(
    base_url: str,
    scripts: Sequence[Sequence[str]],
    concurrency: int,
    seconds: float,
    prefix: str = "bench",
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """``concurrency`` clients holding conversations for ``seconds``; in-flight replies are awaited."""
    url = f"{base_url}/webhooks/rest/webhook"
    senders = itertools.count()
    turns: list[Turn] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        started = time.perf_counter()
        deadline = started + seconds
        # Clients start at different points of the scripts, so the mix is the same from the first second.
        clients = [
            _client(
                session,
                url,
                scripts[i % len(scripts) :] + scripts[: i % len(scripts)],
                senders,
                prefix,
                deadline,
                turns,
            )
            for i in range(concurrency)
        ]
        await asyncio.gather(*clients)
        elapsed = time.perf_counter() - started
    return LoadResult(concurrency, elapsed, turns)


async def warm_up(base_url: str, scripts: Sequence[Sequence[str]], headers: Mapping[str, str] | None = None) -> None:
    """Every script once, so first-use costs (imports, caches, connections) are paid before the clock starts."""
    async with aiohttp.ClientSession(headers=headers) as session:
        for number, script in enumerate(scripts):
            for text in script:
                await say(session, f"{base_url}/webhooks/rest/webhook", f"warmup-{number}", text)
