"""Forty wrong sign-ins at once through the console's login page: the throttle tests' helper.

Also a command line, ``python -m tests.staff.parallel_logins``, that makes the same runs on the
database ESCALATIONS_DATABASE_URL names (PostgreSQL in the tests) in a process of its own,
since Django is configured once per process, and prints the results as JSON.
"""

from __future__ import annotations

import json
import os
import threading

PARALLEL = 40
PASSWORD = "correct-horse-battery-9"


def parallel_wrong_logins(usernames: list[str], addresses: list[str]) -> tuple[int, list[int]]:
    """Wrong passwords, all started together; returns how many reached the password check, and the statuses."""
    from django.contrib.auth.signals import user_login_failed
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    checked, statuses, lock = [0], [], threading.Lock()
    start = threading.Barrier(len(usernames))

    def count_check(**_: object) -> None:
        with lock:
            checked[0] += 1

    def attempt(username: str, address: str) -> None:
        try:
            client = Client()
            start.wait()
            response = client.post(
                reverse("login"), {"username": username, "password": "wrong-password"}, REMOTE_ADDR=address
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    user_login_failed.connect(count_check)
    try:
        threads = [threading.Thread(target=attempt, args=pair) for pair in zip(usernames, addresses, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        user_login_failed.disconnect(count_check)
    return checked[0], statuses


def one_account(username: str) -> tuple[int, list[int]]:
    return parallel_wrong_logins([username] * PARALLEL, [f"10.1.0.{n}" for n in range(PARALLEL)])


def one_address() -> tuple[int, list[int]]:
    return parallel_wrong_logins([f"guess-{n}" for n in range(PARALLEL)], ["203.0.113.7"] * PARALLEL)


def main() -> None:
    from clinic.escalations import ensure_django, migrate

    os.environ.setdefault("STAFF_LOGIN_FIRST_DELAY_SECONDS", "60")
    ensure_django()
    migrate()
    from django.test.utils import setup_test_environment

    from staff.escalations.roles import STAFF, create_user

    setup_test_environment()
    create_user("nurse.parallel", PASSWORD, STAFF)
    print(json.dumps({"one_account": one_account("nurse.parallel"), "one_address": one_address()}))


if __name__ == "__main__":
    main()
