"""Message limits for the public chat channels (REST and the web chat), per client address and per conversation.

Each limit counts the messages admitted in a fixed window; a message over either limit is
refused with the seconds until the window ends, and the channel tells the sender so (REST: 429
with Retry-After; web chat: a reply and a ``rate_limited`` event), so nothing is dropped
silently. The counts live in the serving process: with several workers or replicas each one
counts its own share. The SMS channel has its own per-number limit (clinic/sms_state.py).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ChatLimits:
    per_address: int  # 0: no limit
    per_conversation: int  # 0: no limit
    window: float  # seconds

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChatLimits:
        env = os.environ if env is None else env
        return cls(
            per_address=int(env.get("CHAT_RATE_LIMIT_PER_ADDRESS", "300")),
            per_conversation=int(env.get("CHAT_RATE_LIMIT_PER_CONVERSATION", "30")),
            window=float(env.get("CHAT_RATE_WINDOW_SECONDS", "60")),
        )


class RateLimiter:
    """Fixed-window counters for client addresses and conversations."""

    def __init__(self, limits: ChatLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._counts: dict[tuple[str, str], tuple[float, int]] = {}  # (kind, key) -> (window start, count)
        self._next_sweep = 0.0

    def _count(self, kind: str, key: str, now: float) -> tuple[float, int]:
        start, count = self._counts.get((kind, key), (now, 0))
        return (now, 0) if now - start >= self.limits.window else (start, count)

    def admit(self, address: str, conversation: str) -> float | None:
        """None when the message may go on (and is counted), else the seconds to wait."""
        now = self._clock()
        self._sweep(now)
        checks = [
            ("address", address, self.limits.per_address),
            ("conversation", conversation, self.limits.per_conversation),
        ]
        wait = 0.0
        for kind, key, limit in checks:
            start, count = self._count(kind, key, now)
            if limit and count >= limit:
                wait = max(wait, start + self.limits.window - now)
        if wait:
            return max(1.0, math.ceil(wait))
        for kind, key, limit in checks:
            if limit:
                start, count = self._count(kind, key, now)
                self._counts[(kind, key)] = (start, count + 1)
        return None

    def _sweep(self, now: float) -> None:
        """Forgets ended windows, so the counters stay as small as the traffic of one window."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.limits.window
        self._counts = {key: value for key, value in self._counts.items() if now - value[0] < self.limits.window}
