"""Django test client fixtures: the migrated test database, rolled back after every test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clinic.escalations import ensure_django


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """The tests import models at module level; tests/conftest.py has fixed the database by now."""
    ensure_django()


_keys = itertools.count()


@pytest.fixture(scope="session")
def django_ready(escalation_db) -> None:
    from django.test.utils import setup_test_environment

    setup_test_environment()


@pytest.fixture
def db(django_ready, settings_override) -> Iterator[None]:
    """Each test runs in a transaction that is rolled back, so tests never see each other's rows."""
    from django.core.cache import cache
    from django.db import transaction

    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def settings_override(django_ready) -> Iterator[None]:
    from django.test import override_settings

    # A fast hasher: the tests log in many times; production keeps Django's default.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def staff_user(db):
    from staff.escalations.roles import STAFF, create_user

    return create_user("nurse.kim", PASSWORD, STAFF)


@pytest.fixture
def admin_user(db):
    from staff.escalations.roles import ADMIN, create_user

    return create_user("lead.ana", PASSWORD, ADMIN)


@pytest.fixture
def client(db):
    from django.test import Client

    return Client()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client(db, admin_user):
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    return client


def snapshot_turns(start: datetime, *texts: tuple[str, str]) -> list[dict[str, Any]]:
    return [
        {"role": role, "text": text, "at": (start + timedelta(seconds=index)).isoformat()}
        for index, (role, text) in enumerate(texts)
    ]


@pytest.fixture
def make_escalation(db):
    from clinic.escalations import priority_for
    from staff.escalations.models import Escalation

    def make(**fields: Any) -> Escalation:
        reason = fields.pop("reason", "request_human")
        created_at = fields.pop("created_at", datetime.now(UTC) - timedelta(minutes=5))
        values = {
            "idempotency_key": f"test-{next(_keys)}",
            "created_at": created_at,
            "channel": "socketio",
            "conversation_id": f"web-{next(_keys):032d}",
            "reason": reason,
            "priority": priority_for(reason),
            "first_name": "Maria",
            "contact_phone": "+19495550142",
            "contact_email": "maria@example.org",
            "best_time": "mornings",
            "consent": True,
            "triggering_message": "can I talk to someone please",
            "transcript": snapshot_turns(
                created_at - timedelta(minutes=1),
                ("user", "can I talk to someone please"),
                ("bot", "Of course. What is your first name?"),
            ),
        }
        values.update(fields)
        return Escalation.objects.create(**values)

    return make


class TrackerStore:
    """A real Rasa SQL tracker store (SQLite) that the console reads through TRACKER_DATABASE_URL."""

    def __init__(self, path) -> None:
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.shared.core.domain import Domain

        self.store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
        self.url = f"sqlite:///{path}"
        self.clock = datetime.now(UTC).timestamp() - 3600

    def add(self, sender: str, *events) -> None:
        import asyncio

        from rasa.shared.core.trackers import DialogueStateTracker

        tracker = asyncio.run(self.store.retrieve(sender)) or DialogueStateTracker(sender, slots=[])
        for event in events:
            tracker.update(event)
        asyncio.run(self.store.save(tracker))

    def tick(self) -> float:
        self.clock += 1
        return self.clock

    def user(self, text: str, intent: str, confidence: float = 0.95, channel: str = "socketio", at=None):
        from rasa.shared.core.events import UserUttered

        return UserUttered(
            text,
            intent={"name": intent, "confidence": confidence},
            parse_data={"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text},
            input_channel=channel,
            timestamp=at if at is not None else self.tick(),
        )

    def slot(self, name: str, value: Any, at=None):
        from rasa.shared.core.events import SlotSet

        return SlotSet(name, value, timestamp=at if at is not None else self.tick())

    def rating(self, response: str, message: str, value: str, answer_at: float = 1.0):
        """What the web chat stores for a "was this helpful?" rating (clinic.ratings)."""
        return self.slot(
            "answer_rating",
            {"response": response, "answer_at": answer_at, "message": message, "value": value, "reason": None},
        )


@pytest.fixture
def tracker_store(tmp_path, monkeypatch) -> TrackerStore:
    store = TrackerStore(tmp_path / "tracker.db")
    monkeypatch.setenv("TRACKER_DATABASE_URL", store.url)
    return store
