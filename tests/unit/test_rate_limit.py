"""The chat channels' message limits, per client address and per conversation, on a fake clock."""

from clinic.rate_limit import ChatLimits, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def limiter(per_address=5, per_conversation=3, window=60.0):
    clock = Clock()
    return RateLimiter(ChatLimits(per_address, per_conversation, window), clock), clock


def test_a_conversation_over_its_limit_waits_until_its_window_ends():
    limits, clock = limiter()
    assert [limits.admit("1.2.3.4", "a") for _ in range(3)] == [None, None, None]
    clock.now += 20
    assert limits.admit("1.2.3.4", "a") == 40
    assert limits.admit("1.2.3.4", "b") is None
    clock.now += 40
    assert limits.admit("1.2.3.4", "a") is None


def test_an_address_over_its_limit_is_refused_in_every_conversation():
    limits, _ = limiter()
    for conversation in ("a", "b", "c", "d", "e"):
        assert limits.admit("1.2.3.4", conversation) is None
    assert limits.admit("1.2.3.4", "f") == 60
    assert limits.admit("5.6.7.8", "f") is None


def test_refused_messages_do_not_count():
    limits, clock = limiter(per_address=0, per_conversation=2)
    limits.admit("x", "a")
    limits.admit("x", "a")
    for _ in range(50):
        assert limits.admit("x", "a")
    clock.now += 60
    assert limits.admit("x", "a") is None


def test_zero_means_no_limit():
    limits, _ = limiter(per_address=0, per_conversation=0)
    assert all(limits.admit("x", "a") is None for _ in range(1_000))


def test_ended_windows_are_forgotten():
    limits, clock = limiter()
    for number in range(100):
        limits.admit(f"10.0.0.{number}", f"c{number}")
    clock.now += 61
    limits.admit("1.1.1.1", "z")
    assert len(limits._counts) == 2


def test_limits_come_from_the_environment_with_defaults():
    assert ChatLimits.from_env({}) == ChatLimits(300, 30, 60.0)
    env = {
        "CHAT_RATE_LIMIT_PER_ADDRESS": "10",
        "CHAT_RATE_LIMIT_PER_CONVERSATION": "2",
        "CHAT_RATE_WINDOW_SECONDS": "5",
    }
    assert ChatLimits.from_env(env) == ChatLimits(10, 2, 5.0)
