"""Login throttling: the policy on the real table with a fake clock, the login page, and parallel attempts."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from harness.servers import ROOT
from staff.escalations.models import LoginCounter
from staff.escalations.throttle import LoginThrottle, ThrottlePolicy, client_address
from tests.staff.conftest import PASSWORD
from tests.staff.parallel_logins import one_account, one_address

POLICY = ThrottlePolicy(max_failures=3, window_seconds=60, first_delay_seconds=2, max_delay_seconds=10)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def fail(guard: LoginThrottle, username: str, address: str) -> None:
    """One wrong password: the attempt is let through and stays counted."""
    assert guard.begin(username, address) == 0


def test_an_account_locks_after_repeated_failures_from_anywhere_until_its_window_passes(db):
    clock = Clock()
    guard = LoginThrottle(POLICY, clock)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        fail(guard, "nurse", address)
    assert guard.begin("nurse", "10.0.0.9") == 60
    clock.now += 59
    assert guard.begin("nurse", "10.0.0.9") == 1
    clock.now += 1
    assert guard.begin("nurse", "10.0.0.9") == 0


def test_an_address_is_slowed_by_growing_delays_never_locked(db):
    clock = Clock()
    guard = LoginThrottle(POLICY, clock)
    for name in ("a", "b", "c"):
        fail(guard, name, "203.0.113.7")
    # After the free failures each attempt waits 2, 4, 8, then at most 10 seconds.
    for delay in (2, 4, 8, 10, 10):
        assert guard.begin("someone-else", "203.0.113.7") == delay
        clock.now += delay
        fail(guard, f"name-{delay}-{clock.now}", "203.0.113.7")
    clock.now += 10
    # The right password from the same address still gets through once the delay has passed.
    assert guard.begin("nurse", "203.0.113.7") == 0
    guard.succeeded("nurse", "203.0.113.7")
    # Other addresses were never slowed.
    assert guard.begin("nurse", "198.51.100.1") == 0


def test_an_address_is_forgiven_after_a_quiet_window(db):
    clock = Clock()
    guard = LoginThrottle(POLICY, clock)
    for name in ("a", "b", "c", "d"):
        clock.now += 10
        fail(guard, name, "203.0.113.7")
    clock.now += 60
    # Counted from zero again: three free failures, then the first delay (not the longest).
    for name in ("e", "f", "g"):
        fail(guard, name, "203.0.113.7")
    assert guard.begin("h", "203.0.113.7") == 2


def test_a_success_clears_the_account_and_hands_back_the_address_attempt(db):
    clock = Clock()
    guard = LoginThrottle(POLICY, clock)
    fail(guard, "nurse", "a")
    fail(guard, "nurse", "a")
    assert guard.begin("nurse", "a") == 0
    guard.succeeded("nurse", "a")
    for _ in range(3):
        fail(guard, "nurse", "b")
    assert LoginCounter.objects.get(key__startswith="addr:", failures=2)


@pytest.mark.parametrize("spelling", ["ｎｕｒｓｅ.ｋｉｍ", "NURSE.KIM", " nurse.kim ", "Nurse.Kim"])
def test_every_spelling_django_signs_in_as_counts_against_the_same_account(db, spelling):
    clock = Clock()
    guard = LoginThrottle(POLICY, clock)
    fail(guard, "nurse.kim", "a")
    fail(guard, "nurse.kim", "b")
    fail(guard, spelling, "c")
    assert guard.begin("nurse.kim", "d") == 60


def test_counts_past_their_window_are_dropped(db):
    clock = Clock()
    guard = LoginThrottle(POLICY, clock)
    for n in range(5):
        fail(guard, f"sprayed-{n}", "203.0.113.7")
        clock.now += 5
    assert LoginCounter.objects.count() == 6
    clock.now += 61
    fail(guard, "nurse", "10.0.0.1")
    assert LoginCounter.objects.count() == 2


def test_the_table_holds_no_usernames_or_addresses(db):
    guard = LoginThrottle(POLICY, Clock())
    fail(guard, "nurse.kim", "10.0.0.1")
    keys = list(LoginCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2 and not any("nurse" in key or "10.0.0.1" in key for key in keys)


def test_forwarded_addresses_are_believed_only_from_a_trusted_proxy():
    spoofed = {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": "10.9.9.9"}
    assert client_address(spoofed, []) == "198.51.100.9"
    assert client_address(spoofed, ["127.0.0.1"]) == "198.51.100.9"
    # Through the proxy: the hop it added, not what the client wrote further left.
    proxied = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.7"}
    assert client_address(proxied, ["127.0.0.1"]) == "203.0.113.7"
    chained = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7, 10.0.0.2"}
    assert client_address(chained, ["127.0.0.1", "10.0.0.2"]) == "203.0.113.7"
    assert client_address({"REMOTE_ADDR": "127.0.0.1"}, ["127.0.0.1"]) == "127.0.0.1"


def login(client: Client, username: str, password: str, **extra: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_login_page_refuses_even_the_right_password_once_the_account_is_locked(client, staff_user, monkeypatch):
    monkeypatch.setenv("STAFF_LOGIN_MAX_FAILURES", "3")
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert login(client, "nurse.kim", "wrong", REMOTE_ADDR=address).status_code == 401
    locked = login(client, "nurse.kim", PASSWORD, REMOTE_ADDR="10.0.0.4")
    assert locked.status_code == 429 and "Too many failed attempts" in locked.content.decode()
    assert client.get(reverse("queue")).status_code == 302


def test_a_full_width_username_signs_in_as_the_account_and_shares_its_count(client, staff_user, monkeypatch):
    monkeypatch.setenv("STAFF_LOGIN_MAX_FAILURES", "3")
    # Django's login form normalises (NFKC) the name: this is the same account...
    signed_in = login(Client(), "ｎｕｒｓｅ.ｋｉｍ", PASSWORD)
    assert signed_in.status_code == 302
    # ...so its failures count with the plain spelling's.
    for spelling, address in (("nurse.kim", "10.0.0.1"), ("ｎｕｒｓｅ.ｋｉｍ", "10.0.0.2"), ("NURSE.kim", "10.0.0.3")):
        assert login(client, spelling, "wrong", REMOTE_ADDR=address).status_code == 401
    assert login(client, "nurse.kim", PASSWORD, REMOTE_ADDR="10.0.0.4").status_code == 429


@pytest.fixture
def slow_delays(monkeypatch):
    """Three free failures, then a delay no test run outlasts."""
    monkeypatch.setenv("STAFF_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("STAFF_LOGIN_FIRST_DELAY_SECONDS", "30")


def test_behind_one_nat_address_the_right_password_still_works_after_a_short_wait(client, staff_user, slow_delays):
    for name in ("reception", "admin", "root", "guest"):
        login(client, name, "guess", REMOTE_ADDR="203.0.113.7")
    slowed = login(client, "nurse.kim", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert slowed.status_code == 429 and "second(s)" in slowed.content.decode()
    # The delay passes (the counters' clock moved back instead of sleeping).
    LoginCounter.objects.update(last_failure=F("last_failure") - 3600)
    assert login(client, "nurse.kim", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_escape_the_address_delay(client, staff_user, slow_delays):
    statuses = [
        login(client, f"guess-{n}", "x", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(6)
    ]
    assert statuses == [401, 401, 401, 429, 429, 429]


def test_a_trusted_proxys_clients_are_told_apart(client, staff_user, slow_delays):
    with override_settings(STAFF_TRUSTED_PROXIES=["127.0.0.1"]):
        for n in range(4):
            login(client, f"guess-{n}", "x", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert (
            login(client, "guess-x", "x", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
            == 429
        )
        other = login(client, "nurse.kim", PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
        assert other.status_code == 302


def test_login_redirects_only_to_this_site(client, staff_user):
    response = client.post(
        reverse("login") + "?next=https://evil.example/", {"username": "nurse.kim", "password": PASSWORD}
    )
    assert response["Location"] == reverse("queue")
    response = client.post(reverse("login") + "?next=/dashboard/", {"username": "nurse.kim", "password": PASSWORD})
    assert response["Location"] == "/dashboard/"


@pytest.fixture
def committed_account(settings_override):
    """An account outside the per-test transaction, so parallel requests (other connections) see it."""
    from django.contrib.auth import get_user_model

    from staff.escalations.roles import STAFF, create_user

    username = f"nurse-{uuid.uuid4().hex[:8]}"
    user = create_user(username, PASSWORD, STAFF)
    LoginCounter.objects.all().delete()
    yield username
    LoginCounter.objects.all().delete()
    get_user_model().objects.filter(pk=user.pk).delete()


def test_forty_parallel_wrong_passwords_for_one_account_get_at_most_the_limit_checked(committed_account):
    checked, statuses = one_account(committed_account)
    assert len(statuses) == 40 and set(statuses) <= {401, 429}
    assert 1 <= checked <= 5, checked
    assert statuses.count(401) == checked


def test_forty_parallel_wrong_passwords_from_one_address_get_at_most_the_free_ones_checked(
    committed_account, monkeypatch
):
    monkeypatch.setenv("STAFF_LOGIN_FIRST_DELAY_SECONDS", "60")
    checked, statuses = one_address()
    assert len(statuses) == 40 and set(statuses) <= {401, 429}
    assert 1 <= checked <= 5, checked


def test_on_postgresql_too_parallel_wrong_passwords_get_at_most_the_limit_checked(postgres, tmp_path):
    """Production's database: the compare-and-swap updates hold under PostgreSQL's row locks."""
    env = {
        **os.environ,
        "ESCALATIONS_DATABASE_URL": postgres.create_database(f"throttle_{uuid.uuid4().hex[:8]}"),
        "CLINIC_VAR_DIR": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.staff.parallel_logins"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for checked, statuses in json.loads(run.stdout.splitlines()[-1]).values():
        assert len(statuses) == 40 and set(statuses) <= {401, 429}
        assert 1 <= checked <= 5, checked
