import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from harness.servers import ROOT, ProductionStores, running_assistant, store_env
from tests.fake_twilio import FakeTwilio
from tests.prod_services import Postgres, Redis, running_postgres, running_redis

STATE_DIR = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    """A loopback Twilio-compatible server, one per test module that texts."""
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A real PostgreSQL server for this test session (Debian's package)."""
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    with running_redis() as server:
        yield server


@pytest.fixture(scope="session")
def production_stores(postgres: Postgres, redis_server: Redis) -> ProductionStores:
    """Separate tracker and escalation databases, as .env.example suggests, and the Redis lock store."""
    return ProductionStores(
        tracker_url=postgres.create_database("conversation_tests_tracker"),
        escalations_url=postgres.create_database("conversation_tests_escalations"),
        redis_port=redis_server.port,
        redis_password=redis_server.password,
    )


# Production mode logs message text at debug level, so the logs show that it is redacted.
PRODUCTION_TEST_ENV = {"LOG_LEVEL": "DEBUG", "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked production_only run against the production assistant only.

    Deselected rather than re-parametrized, so both modes share one assistant each.
    """
    embedded_only_copies = [
        item for item in items if item.get_closest_marker("production_only") and "[embedded]" in item.nodeid
    ]
    if embedded_only_copies:
        config.hook.pytest_deselected(items=embedded_only_copies)
        items[:] = [item for item in items if item not in embedded_only_copies]


@pytest.fixture(scope="session", params=["embedded", "production"])
def assistant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The assistant as `make run` starts it (SQLite), then as `make run-prod` does (PostgreSQL, Redis).

    Every conversation test runs against both.
    """
    workdir = tmp_path_factory.mktemp(f"assistant-{request.param}")
    if request.param == "embedded":
        context = running_assistant(workdir)
    else:
        context = running_assistant(
            workdir, PRODUCTION_TEST_ENV, production=request.getfixturevalue("production_stores")
        )
    with context as servers:
        yield servers | {"mode": request.param}


class RestClient:
    """Talks to the assistant over the public REST channel, like a website visitor."""

    def __init__(self, base: str, token: str, rest_token: str) -> None:
        self.base, self.token = base, token
        self.headers = {"Authorization": f"Bearer {rest_token}"}

    def send(self, sender: str, text: str) -> requests.Response:
        return requests.post(
            f"{self.base}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=self.headers,
            timeout=60,
        )

    def say(self, sender: str, text: str) -> list[dict]:
        response = self.send(sender, text)
        assert response.status_code == 200, response.text
        return response.json()

    def parse(self, text: str) -> dict:
        response = requests.post(
            f"{self.base}/model/parse", params={"token": self.token}, json={"text": text}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.base}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def rest(assistant: dict[str, str]) -> RestClient:
    return RestClient(assistant["rasa"], assistant["token"], assistant["rest_token"])


def texts(messages: list[dict]) -> str:
    return "\n".join(message.get("text", "") for message in messages)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def pytest_configure(config: pytest.Config) -> None:
    """This test process's own local state and escalation database, set before Django reads them.

    The staff console's tests import Django models while they are collected, so the database
    location is fixed here, before any test or fixture runs.
    """
    workdir = Path(tempfile.mkdtemp(prefix="clinic-tests-"))
    config.stash[STATE_DIR] = workdir
    os.environ.update(store_env(workdir))
    os.environ["ESCALATIONS_DB_TIMEOUT"] = "0.2"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash.get(STATE_DIR, ""), ignore_errors=True)


@pytest.fixture(scope="session")
def escalation_db(pytestconfig: pytest.Config) -> Path:
    """The migrated SQLite escalation database of this test process (Django is set up once)."""
    from clinic.escalations import migrate

    migrate()
    return pytestconfig.stash[STATE_DIR] / "escalations.db"
