"""Login throttling: the pure policy with a fake clock, and the login page using it."""

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse

from staff.escalations.throttle import LoginThrottle, ThrottlePolicy
from tests.staff.conftest import PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle(LocMemCache("throttle-test", {}), ThrottlePolicy(max_failures=3, window_seconds=60), clock)


def test_locks_after_repeated_failures_until_the_window_passes():
    clock = Clock()
    guard = throttle(clock)
    for _ in range(2):
        guard.failed("nurse", "10.0.0.1")
    assert guard.retry_after("nurse", "10.0.0.1") == 0
    guard.failed("nurse", "10.0.0.1")
    assert guard.retry_after("nurse", "10.0.0.1") == 60
    assert guard.retry_after("NURSE", "10.0.0.9") == 60  # the account is locked from anywhere
    assert guard.retry_after("someone", "10.0.0.1") == 60  # and the address for any account
    clock.now += 61
    assert guard.retry_after("nurse", "10.0.0.1") == 0


def test_old_failures_slide_out_of_the_window():
    clock = Clock()
    guard = throttle(clock)
    guard.failed("nurse", "a")
    clock.now += 50
    guard.failed("nurse", "a")
    guard.failed("nurse", "a")
    assert guard.retry_after("nurse", "a") == 10
    clock.now += 11
    assert guard.retry_after("nurse", "a") == 0


def test_a_success_clears_the_account_count():
    clock = Clock()
    guard = throttle(clock)
    guard.failed("nurse", "a")
    guard.failed("nurse", "a")
    guard.succeeded("nurse")
    guard.failed("nurse", "b")
    assert guard.retry_after("nurse", "b") == 0


def test_the_cache_holds_no_usernames():
    guard = throttle(Clock())
    guard.failed("nurse.kim", "10.0.0.1")
    assert not any("nurse" in key or "10.0.0.1" in key for key in guard.cache._cache)


def test_login_page_refuses_even_the_right_password_once_locked(client, staff_user, monkeypatch):
    monkeypatch.setenv("STAFF_LOGIN_MAX_FAILURES", "3")
    cache.clear()
    for _ in range(3):
        assert client.post(reverse("login"), {"username": "nurse.kim", "password": "wrong"}).status_code == 401
    locked = client.post(reverse("login"), {"username": "nurse.kim", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many failed attempts" in locked.content.decode()
    assert client.get(reverse("queue")).status_code == 302


def test_login_redirects_only_to_this_site(client, staff_user):
    response = client.post(
        reverse("login") + "?next=https://evil.example/", {"username": "nurse.kim", "password": PASSWORD}
    )
    assert response["Location"] == reverse("queue")
    response = client.post(reverse("login") + "?next=/dashboard/", {"username": "nurse.kim", "password": PASSWORD})
    assert response["Location"] == "/dashboard/"
