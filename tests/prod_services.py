"""Real PostgreSQL, Redis and nginx servers from Debian's packages, on free ports in temp dirs.

Nothing is mocked. When a binary is missing the test is skipped with the reason, unless
CLINIC_REQUIRE_PROD_SERVICES=1 (set by `make test`, which installs them first: bin/system-packages): then it fails.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.servers import free_port

# PostgreSQL refuses to run as root; as root the server runs as Debian's postgres user.
POSTGRES_USER = "postgres"


def find_binary(name: str, *patterns: str) -> str | None:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found:
        return found
    candidates = sorted((path for pattern in patterns for path in glob.glob(pattern)), reverse=True)
    return candidates[0] if candidates else None


def require_binary(name: str, package: str, *patterns: str) -> str:
    found = find_binary(name, *patterns)
    if found:
        return found
    reason = f"{name} is not installed (apt-get install {package})"
    if os.environ.get("CLINIC_REQUIRE_PROD_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _wait(check, what: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before it was ready")
        try:
            check()
            return
        except Exception:
            time.sleep(0.2)
    raise TimeoutError(f"{what} was not ready within {timeout}s")


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    password: str

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg2

        connection = psycopg2.connect(self.url("postgres"))
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    """A fresh cluster with password (scram) authentication, on loopback only."""
    pattern = "/usr/lib/postgresql/*/bin/"
    initdb = require_binary("initdb", "postgresql", pattern + "initdb")
    postgres = require_binary("postgres", "postgresql", pattern + "postgres")
    as_root = os.geteuid() == 0
    # Not under pytest's tmp_path: as root that is private to root, and the server runs as postgres.
    home = Path(tempfile.mkdtemp(prefix="clinic-pg-"))
    server = Postgres(port=free_port(), user="clinic", password=secrets.token_hex(12))
    (home / "password").write_text(server.password, encoding="utf-8")
    if as_root:
        shutil.chown(home, POSTGRES_USER)
        shutil.chown(home / "password", POSTGRES_USER)
    user = POSTGRES_USER if as_root else None
    data = home / "data"
    subprocess.run(
        [initdb, "-D", str(data), "-U", server.user, f"--pwfile={home / 'password'}", "--auth=scram-sha-256"]
        + ["--no-sync", "--encoding=UTF8", "--locale=C"],
        check=True,
        capture_output=True,
        user=user,
        cwd=home,  # the postgres user may not be able to enter the test's working directory
    )
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [postgres, "-D", str(data), "-p", str(server.port), "-h", "127.0.0.1", "-k", str(home)]
        + ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        stdout=log,
        stderr=subprocess.STDOUT,
        user=user,
        cwd=home,
    )
    try:
        import psycopg2

        _wait(lambda: psycopg2.connect(server.url("postgres")).close(), "PostgreSQL", process)
        yield server
    finally:
        _stop(process, signal.SIGINT)  # SIGINT is PostgreSQL's fast shutdown
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@dataclass(frozen=True)
class Redis:
    port: int
    password: str


@contextmanager
def running_redis() -> Iterator[Redis]:
    binary = require_binary("redis-server", "redis-server")
    home = Path(tempfile.mkdtemp(prefix="clinic-redis-"))
    server = Redis(port=free_port(), password=secrets.token_hex(12))
    process = subprocess.Popen(
        [binary, "--port", str(server.port), "--bind", "127.0.0.1", "--dir", str(home)]
        + ["--save", "", "--appendonly", "no", "--requirepass", server.password, "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        import redis

        _wait(lambda: redis.Redis(port=server.port, password=server.password).ping(), "Redis", process)
        yield server
    finally:
        _stop(process)
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def running_nginx(config_text: str, port: int, home: Path) -> Iterator[Path]:
    """nginx in the foreground with ``config_text`` (rendered from deploy/nginx.conf) under ``home``."""
    binary = require_binary("nginx", "nginx")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "nginx.conf"
    config.write_text(config_text, encoding="utf-8")
    log = (home / "nginx.log").open("wb")
    process = subprocess.Popen(
        [binary, "-p", str(home), "-c", str(config), "-e", "stderr", "-g", "daemon off;"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        import socket

        _wait(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close(), "nginx", process)
        yield home / "nginx.log"
    finally:
        _stop(process, signal.SIGQUIT)  # graceful shutdown
        log.close()
