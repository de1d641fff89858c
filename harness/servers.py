"""Starts the real Rasa and action servers as subprocesses for conversation-level tests."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"
LOGGING_CONFIG = ROOT / "deploy" / "logging.yml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or its workers are still loading the model
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def store_env(workdir: Path) -> dict[str, str]:
    """Environment that gives a process its own escalation database and outbox in ``workdir``."""
    return {
        "CLINIC_VAR_DIR": str(workdir),
        "ESCALATIONS_DATABASE_URL": f"sqlite:///{workdir / 'escalations.db'}",
    }


def list_escalations(env: dict[str, str]) -> list:
    """The escalations as the command-line listing prints them."""
    output = subprocess.run(
        [sys.executable, "-m", "clinic.escalations", "list"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def _endpoints_file(workdir: Path, actions_port: int) -> Path:
    """The project's endpoints.yml, with this test's action server and tracker database."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    endpoints["tracker_store"]["db"] = str(workdir / "tracker.db")
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


@dataclass(frozen=True)
class ProductionStores:
    """Where a production-mode assistant keeps its state (see endpoints.prod.yml, .env.example)."""

    tracker_url: str
    escalations_url: str
    redis_port: int
    redis_password: str

    def env(self, actions_port: int) -> dict[str, str]:
        return {
            "TRACKER_DATABASE_URL": self.tracker_url,
            "ESCALATIONS_DATABASE_URL": self.escalations_url,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.redis_port),
            "REDIS_PASSWORD": self.redis_password,
            "REDIS_DB": "1",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "RASA_CORS_ORIGINS": "https://www.example-clinic.org",
            # As bin/run-prod sets it: TensorFlow's C++ notices bypass the JSON logs.
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }


# Tests and the benchmark send everything from 127.0.0.1, many conversations from one address,
# so the per-address limit is raised; the limit tests set their own (tests/test_public_inputs.py).
TEST_LIMITS = {"CHAT_RATE_LIMIT_PER_ADDRESS": "1000000", "CHAT_RATE_LIMIT_PER_CONVERSATION": "120"}


def stop_groups(processes: list[subprocess.Popen], timeout: float = 20) -> None:
    """Stops servers started in their own sessions, with every process they started (workers included)."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):  # the whole group has already gone
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


@contextmanager
def running_assistant(
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    production: ProductionStores | None = None,
    replicas: int = 1,
    model: Path = MODEL,
) -> Iterator[dict[str, Any]]:
    """Yields the base URLs and tokens of a freshly started assistant.

    The servers are started by bin/run-actions and bin/run-rasa, the scripts bin/run-all and
    bin/run-prod use, so the tests run the same command lines (CORS, loopback, tokens in the
    environment); each run has its own random tokens, and every process stops on teardown.
    ``production`` runs it as bin/run-prod does (endpoints.prod.yml, JSON logs); ``replicas``
    starts that many Rasa servers sharing one action server and the stores. Also
    ``start_rasa``/``kill_rasa`` (SIGKILL, as a crash would) to restart the first Rasa server on
    the same stores, ``pids()`` of the servers, and ``startup``: seconds from spawn to ready.
    """
    rasa_ports, actions_port = [free_port() for _ in range(replicas)], free_port()
    token, rest_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    env = {
        **os.environ,
        **store_env(workdir),
        **TEST_LIMITS,
        "RASA_API_TOKEN": token,
        "REST_CHANNEL_TOKEN": rest_token,
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "ACTIONS_PORT": str(actions_port),
        "RASA_CORS_ORIGINS": "http://localhost:8080,http://127.0.0.1:8080",
        "RASA_MODEL": str(model),
    }
    env.pop("LOGGING_CONFIG", None)
    # The action server parses the parts of a several-question message with Rasa's HTTP API.
    env["RASA_URL"] = f"http://127.0.0.1:{rasa_ports[0]}"
    if production:
        env |= production.env(actions_port) | {"LOGGING_CONFIG": str(LOGGING_CONFIG)}
    env |= extra_env or {}
    env["RASA_ENDPOINTS"] = str(ROOT / "endpoints.prod.yml" if production else _endpoints_file(workdir, actions_port))
    subprocess.run([sys.executable, "-m", "clinic.escalations", "migrate"], cwd=ROOT, env=env, check=True)
    logs = [(workdir / "actions.log").open("wb")]
    actions_started = time.monotonic()
    actions = subprocess.Popen(
        [str(ROOT / "bin" / "run-actions")],
        cwd=ROOT,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    rasa_logs = [workdir / ("rasa.log" if i == 0 else f"rasa-{i}.log") for i in range(replicas)]
    processes: dict[str, subprocess.Popen] = {"actions": actions}
    startup: dict[str, float] = {}

    def launch(index: int) -> None:
        log = rasa_logs[index].open("ab")
        logs.append(log)
        name = "rasa" if index == 0 else f"rasa-{index}"
        processes[name] = subprocess.Popen(
            [str(ROOT / "bin" / "run-rasa")],
            cwd=ROOT,
            env={**env, "RASA_PORT": str(rasa_ports[index])},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_rasa() -> None:
        started = time.monotonic()
        launch(0)
        wait_for_http(f"http://127.0.0.1:{rasa_ports[0]}/status?token={token}")
        startup["rasa"] = time.monotonic() - started

    def kill_rasa() -> None:
        os.killpg(processes["rasa"].pid, signal.SIGKILL)
        processes["rasa"].wait(timeout=20)

    try:
        bases = [f"http://127.0.0.1:{port}" for port in rasa_ports]
        wait_for_http(f"http://127.0.0.1:{actions_port}/health")
        startup["actions"] = time.monotonic() - actions_started
        started = time.monotonic()
        for index in range(replicas):
            launch(index)
        for base in bases:
            wait_for_http(f"{base}/status?token={token}")
        startup["rasa"] = time.monotonic() - started
        yield {
            "start_rasa": start_rasa,
            "kill_rasa": kill_rasa,
            "pids": lambda: {name: process.pid for name, process in processes.items()},
            "startup": startup,
            "rasa": bases[0],
            "replicas": bases,
            "actions": f"http://127.0.0.1:{actions_port}",
            "actions_port": actions_port,
            "actions_pid": actions.pid,
            "token": token,
            "rest_token": rest_token,
            "rest_headers": {"Authorization": f"Bearer {rest_token}"},
            "endpoints": env["RASA_ENDPOINTS"],
            "rasa_log": str(rasa_logs[0]),
            "actions_log": str(workdir / "actions.log"),
            "env": env,
        }
    finally:
        stop_groups(list(processes.values()))
        for log in logs:
            log.close()
