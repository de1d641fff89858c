"""Login throttling: after repeated failures, an account name and an address are locked for a while.

Failures are counted per username and per client address in Django's cache, in a sliding
window (STAFF_LOGIN_WINDOW_SECONDS); at STAFF_LOGIN_MAX_FAILURES either key is locked until
the window has passed since its oldest counted failure. A success clears the username's count.
Keys are hashed, so the cache holds no account names or addresses.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_seconds: float = 900.0

    @classmethod
    def from_env(cls) -> ThrottlePolicy:
        return cls(
            max_failures=int(os.environ.get("STAFF_LOGIN_MAX_FAILURES", "5")),
            window_seconds=float(os.environ.get("STAFF_LOGIN_WINDOW_SECONDS", "900")),
        )


def _key(kind: str, value: str) -> str:
    return f"login-fail:{kind}:{hashlib.sha256(value.strip().lower().encode()).hexdigest()}"


class LoginThrottle:
    def __init__(self, cache: Any, policy: ThrottlePolicy, clock: Callable[[], float] = time.time) -> None:
        self.cache, self.policy, self.clock = cache, policy, clock

    def _keys(self, username: str, address: str) -> list[str]:
        return [_key("user", username), _key("addr", address)]

    def _recent(self, key: str, now: float) -> list[float]:
        return [at for at in self.cache.get(key, []) if now - at < self.policy.window_seconds]

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until a login may be tried again; 0 when it may be tried now."""
        now = self.clock()
        waits = []
        for key in self._keys(username, address):
            recent = self._recent(key, now)
            if len(recent) >= self.policy.max_failures:
                waits.append(recent[-self.policy.max_failures] + self.policy.window_seconds - now)
        return max(1, round(max(waits))) if waits else 0

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        for key in self._keys(username, address):
            self.cache.set(key, [*self._recent(key, now), now], timeout=int(self.policy.window_seconds) + 1)

    def succeeded(self, username: str) -> None:
        self.cache.delete(_key("user", username))
