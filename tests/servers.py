"""Starts the real Rasa and action servers as subprocesses for conversation-level tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator

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
def running_assistant(workdir: Path, extra_env: Dict[str, str] | None = None) -> Iterator[Dict[str, str]]:
    """Yields the base URLs and API token of a freshly started assistant."""
    rasa_port, actions_port = free_port(), free_port()
    token = "test-token"
    env = {**os.environ, **(extra_env or {}), "ACTIONS_PORT": str(actions_port)}
    logs = (workdir / "actions.log").open("wb"), (workdir / "rasa.log").open("wb")
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
        cwd=ROOT, env=env, stdout=logs[0], stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            sys.executable, "-m", "rasa", "run", "--model", str(MODEL),
            "--credentials", "credentials.yml",
            "--endpoints", str(_endpoints_file(workdir, actions_port)),
            "--port", str(rasa_port), "--enable-api", "--auth-token", token,
        ],
        cwd=ROOT, env=env, stdout=logs[1], stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{rasa_port}"
        wait_for_http(f"http://127.0.0.1:{actions_port}/health")
        wait_for_http(f"{base}/status?token={token}")
        yield {"rasa": base, "actions": f"http://127.0.0.1:{actions_port}", "token": token,
               "rasa_log": str(workdir / "rasa.log")}
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
