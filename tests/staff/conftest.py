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
