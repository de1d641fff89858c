"""Login throttling: an account is locked after repeated failures; an address is slowed down, never locked.

Both counts live in the database (``LoginCounter``), so every console thread and process sees
the same numbers, and every change is a compare-and-swap ``UPDATE``: of N parallel attempts,
no more than the limit get their password checked.

- **Account** (the username as Django reads it: NFKC-normalised, then case-folded, so
  "ｎｕｒｓｅ" and "Nurse" count with "nurse"): at STAFF_LOGIN_MAX_FAILURES failures within
  STAFF_LOGIN_WINDOW_SECONDS of the first, the account is locked until that window has passed.
- **Address** (the client address, through a trusted proxy only; see ``client_address``): the
  first STAFF_LOGIN_MAX_FAILURES failures cost nothing; after that each attempt must wait
  STAFF_LOGIN_FIRST_DELAY_SECONDS, doubling per failure up to STAFF_LOGIN_MAX_DELAY_SECONDS,
  after the address's last failure. A clinic behind one NAT address keeps signing in with the
  right password, just more slowly, while guessing from there stays slow. The count is
  forgotten after a window without failures.

An attempt is counted as a failure *before* the password is checked, and handed back when it
succeeds, so attempts racing each other cannot all slip under the limit. Keys are hashed: the
table holds no account names or addresses.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.db.models import F

from staff.escalations.models import LoginCounter

# Compare-and-swap rounds before an attempt is refused as "busy, retry in a second".
CAS_ROUNDS = 5


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_seconds: float = 900.0
    first_delay_seconds: float = 2.0
    max_delay_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> ThrottlePolicy:
        return cls(
            max_failures=int(os.environ.get("STAFF_LOGIN_MAX_FAILURES", "5")),
            window_seconds=float(os.environ.get("STAFF_LOGIN_WINDOW_SECONDS", "900")),
            first_delay_seconds=float(os.environ.get("STAFF_LOGIN_FIRST_DELAY_SECONDS", "2")),
            max_delay_seconds=float(os.environ.get("STAFF_LOGIN_MAX_DELAY_SECONDS", "60")),
        )

    def address_delay(self, failures: int) -> float:
        """Seconds an address waits after its last failure, having failed ``failures`` times."""
        beyond = failures - self.max_failures
        if beyond < 0:
            return 0.0
        return min(self.max_delay_seconds, self.first_delay_seconds * 2.0 ** min(beyond, 32))


def normalised_username(username: str) -> str:
    """The account a username signs in to, as Django's login form reads it (NFKC), case-folded."""
    return get_user_model().normalize_username(username.strip()).casefold()


def client_address(meta: Mapping[str, str], trusted_proxies: Iterable[str]) -> str:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the last hop it did not add.

    X-Forwarded-For is read only when the connection comes from a configured proxy, and from
    the right: entries further left were written by the client and prove nothing.
    """
    trusted = set(trusted_proxies)
    remote = meta.get("REMOTE_ADDR", "")
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


class LoginThrottle:
    def __init__(self, policy: ThrottlePolicy, clock: Callable[[], float] = time.time) -> None:
        self.policy, self.clock = policy, clock

    def begin(self, username: str, address: str) -> int:
        """Counts an attempt as a failure, or refuses it: 0 when the password may be checked,
        else the seconds to wait (nothing counted). Call ``succeeded`` when it was right."""
        now = self.clock()
        address_key, account_key = _key("addr", address), _key("user", normalised_username(username))
        try:
            self._forget_stale(now)
            wait = self._reserve(address_key, now, self._address_wait)
            if wait:
                return wait
            wait = self._reserve(account_key, now, self._account_wait)
            if wait:
                self._hand_back(address_key)
            return wait
        except DatabaseError:
            # The table is busy (SQLite under a burst): refuse this attempt rather than skip the count.
            return 1

    def succeeded(self, username: str, address: str) -> None:
        """The attempt was right: the account's count is cleared, the address's attempt handed back."""
        LoginCounter.objects.filter(key=_key("user", normalised_username(username))).delete()
        self._hand_back(_key("addr", address))

    def _account_wait(self, row: LoginCounter, now: float) -> tuple[float, int, float]:
        """(seconds to wait, failures, window start) for an account, the window restarted when over."""
        failures, started = row.failures, row.window_started
        if now - started >= self.policy.window_seconds:
            failures, started = 0, now
        if failures >= self.policy.max_failures:
            return started + self.policy.window_seconds - now, failures, started
        return 0.0, failures, started

    def _address_wait(self, row: LoginCounter, now: float) -> tuple[float, int, float]:
        """The same for an address: a growing delay after its last failure, forgotten after a quiet window."""
        failures, started = row.failures, row.window_started
        if now - row.last_failure >= self.policy.window_seconds:
            failures, started = 0, now
        return row.last_failure + self.policy.address_delay(failures) - now, failures, started

    def _reserve(
        self, key: str, now: float, wait_for: Callable[[LoginCounter, float], tuple[float, int, float]]
    ) -> int:
        for _ in range(CAS_ROUNDS):
            row = self._row(key, now)
            wait, failures, started = wait_for(row, now)
            if wait > 0:
                return max(1, math.ceil(wait))
            swapped = LoginCounter.objects.filter(
                key=key, failures=row.failures, window_started=row.window_started, last_failure=row.last_failure
            ).update(failures=failures + 1, window_started=started, last_failure=now)
            if swapped:
                return 0
        return 1

    @staticmethod
    def _row(key: str, now: float) -> LoginCounter:
        # get_or_create itself falls back to reading the row a parallel attempt created first.
        row, _ = LoginCounter.objects.get_or_create(
            key=key, defaults={"failures": 0, "window_started": now, "last_failure": 0.0}
        )
        return row

    def _forget_stale(self, now: float) -> None:
        """Drops counts no rule looks at any more, so names sprayed at the form do not pile up."""
        cutoff = now - self.policy.window_seconds
        LoginCounter.objects.filter(window_started__lt=cutoff, last_failure__lt=cutoff).delete()

    @staticmethod
    def _hand_back(key: str) -> None:
        LoginCounter.objects.filter(key=key, failures__gt=0).update(failures=F("failures") - 1)
