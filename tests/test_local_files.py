"""Local files: var/ is the owner's alone (0700), and so is every secret and database in it (0600);
production mode refuses to start without the staff alert secret."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from clinic.local_secrets import local_secret, private_file
from clinic.production_checks import problems
from clinic.sms_state import SmsState
from harness.servers import ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual 022: without the project's own care, files would be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_fresh_var_folder_its_secrets_and_the_escalation_database_are_private(tmp_path, loose_umask):
    var = tmp_path / "var"
    env = {**os.environ, "CLINIC_VAR_DIR": str(var)}
    env.pop("ESCALATIONS_DATABASE_URL", None)  # the default: SQLite in var/
    subprocess.run([sys.executable, "-m", "clinic.escalations", "migrate"], cwd=ROOT, env=env, check=True)
    assert mode(var) == 0o700
    assert mode(var / "escalations.db") == 0o600
    assert mode(var / "django-secret-key") == 0o600


def test_an_existing_loose_var_folder_and_secret_are_tightened(tmp_path, monkeypatch, loose_umask):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "widget-session-key").write_text("an-old-secret")
    (var / "widget-session-key").chmod(0o644)
    monkeypatch.setenv("CLINIC_VAR_DIR", str(var))
    monkeypatch.delenv("WIDGET_SESSION_KEY", raising=False)
    assert local_secret("WIDGET_SESSION_KEY", "widget-session-key") == "an-old-secret"
    assert mode(var) == 0o700 and mode(var / "widget-session-key") == 0o600


def test_a_new_secret_is_written_private_and_read_back_the_same(tmp_path, monkeypatch, loose_umask):
    monkeypatch.setenv("CLINIC_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SMS_HASH_KEY", raising=False)
    first = local_secret("SMS_HASH_KEY", "sms-hash-key")
    assert len(first) == 64 and local_secret("SMS_HASH_KEY", "sms-hash-key") == first
    assert mode(tmp_path / "var" / "sms-hash-key") == 0o600
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["sms-hash-key"]  # no partial file left


def test_the_sms_state_database_is_private(tmp_path, loose_umask):
    SmsState(tmp_path / "var" / "sms.db")
    assert mode(tmp_path / "var") == 0o700 and mode(tmp_path / "var" / "sms.db") == 0o600


def test_private_file_tightens_an_existing_database(tmp_path, loose_umask):
    database = tmp_path / "tracker.db"
    database.write_bytes(b"")
    database.chmod(0o644)
    private_file(database)
    assert mode(database) == 0o600


@pytest.mark.parametrize("secret", [None, "", "   ", "short"])
def test_production_refuses_a_missing_or_short_staff_alert_secret(secret):
    env = {} if secret is None else {"STAFF_WEBHOOK_SECRET": secret}
    assert any("STAFF_WEBHOOK_SECRET" in problem for problem in problems(env))
    assert problems({"STAFF_WEBHOOK_SECRET": "x" * 32}) == []


def test_run_prod_stops_before_starting_anything_without_the_secret(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": str(tmp_path / "no.env"),
        "TRACKER_DATABASE_URL": "postgresql://unused/tracker",
        "ESCALATIONS_DATABASE_URL": "postgresql://unused/escalations",
        "REDIS_HOST": "127.0.0.1",
        "RASA_API_TOKEN": "not-used-here",
        "RASA_CORS_ORIGINS": "https://www.example-clinic.org",
        "STAFF_WEBHOOK_URL": "https://alerts.example-clinic.org/hook",
        "STAFF_WEBHOOK_SECRET": "",
    }
    result = subprocess.run(
        [str(ROOT / "bin" / "run-prod")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "production mode refuses to start: STAFF_WEBHOOK_SECRET" in result.stderr
    assert "migrate" not in result.stderr and "Assistant ready" not in result.stderr
