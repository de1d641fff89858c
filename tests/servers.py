"""Starts the real Rasa and action servers as subprocesses for conversation-level tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"


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
        except requests.ConnectionError:
            pass
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
    path = workdir / "endpoints.yml"
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n"
        f'  db: "{workdir / "tracker.db"}"\n',
        encoding="utf-8",
    )
    return path


@contextmanager
def running_assistant(
    workdir: Path, extra_env: dict[str, str] | None = None, model: Path = MODEL
) -> Iterator[dict[str, Any]]:
    """Yields the base URLs and API token of a freshly started assistant.

    Also ``start_rasa``/``kill_rasa`` (SIGKILL, as a crash would) to restart the Rasa server on the
    same stores, ``pids()`` of both servers, and ``startup``: seconds from spawn to ready.
    """
    rasa_port, actions_port = free_port(), free_port()
    token = "test-token"
    env = {**os.environ, **store_env(workdir), **(extra_env or {}), "ACTIONS_PORT": str(actions_port)}
    subprocess.run([sys.executable, "-m", "clinic.escalations", "migrate"], cwd=ROOT, env=env, check=True)
    logs = (workdir / "actions.log").open("wb"), (workdir / "rasa.log").open("wb")
    actions_started = time.monotonic()
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
        cwd=ROOT,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    rasa_command = [
        sys.executable,
        "-m",
        "clinic.rasa_server",
        "run",
        "--model",
        str(model),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        str(_endpoints_file(workdir, actions_port)),
        "--port",
        str(rasa_port),
        "--enable-api",
        "--auth-token",
        token,
    ]
    processes = {"actions": actions}
    startup: dict[str, float] = {}

    def start_rasa() -> None:
        started = time.monotonic()
        processes["rasa"] = subprocess.Popen(rasa_command, cwd=ROOT, env=env, stdout=logs[1], stderr=subprocess.STDOUT)
        wait_for_http(f"http://127.0.0.1:{rasa_port}/status?token={token}")
        startup["rasa"] = time.monotonic() - started

    def kill_rasa() -> None:
        processes["rasa"].kill()
        processes["rasa"].wait(timeout=20)

    try:
        base = f"http://127.0.0.1:{rasa_port}"
        wait_for_http(f"http://127.0.0.1:{actions_port}/health")
        startup["actions"] = time.monotonic() - actions_started
        start_rasa()
        yield {
            "start_rasa": start_rasa,
            "kill_rasa": kill_rasa,
            "pids": lambda: {name: process.pid for name, process in processes.items()},
            "startup": startup,
            "rasa": base,
            "actions": f"http://127.0.0.1:{actions_port}",
            "token": token,
            "rasa_log": str(workdir / "rasa.log"),
            "actions_log": str(workdir / "actions.log"),
            "env": env,
        }
    finally:
        running = [p for p in (processes.get("rasa"), actions) if p is not None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
