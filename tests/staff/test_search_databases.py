"""The queue's search on both databases the console runs on: SQLite (embedded) and PostgreSQL (production).

Each case runs the console's own code in a fresh process configured for that database (the
test process's Django is bound to its SQLite file), after `python -m staff migrate`.
"""

import json
import os
import subprocess
import sys

import pytest

from harness.servers import ROOT

SCRIPT = r"""
import json
from datetime import UTC, datetime

import django

django.setup()
from staff.escalations.models import Escalation
from staff.escalations.queue import QueueFilters, queue

now = datetime.now(UTC)
rows = {
    "cymbalta": dict(triggering_message="Can I take Cymbalta with my infusions?"),
    "spanish": dict(transcript=[{"role": "user", "text": "Tengo mucho DOLOR de espalda", "at": now.isoformat()}]),
    "maria": dict(first_name="María", contact_phone="+19495550142", contact_email="maria@example.org"),
    "other": dict(triggering_message="where is the Irvine clinic"),
}
for index, (name, fields) in enumerate(rows.items()):
    Escalation.objects.create(
        idempotency_key=f"search-{index}", created_at=now, channel="socketio", conversation_id=f"web-{name}",
        reason="request_human", priority="normal", **fields,
    )
names = {e.pk: e.conversation_id.removeprefix("web-") for e in Escalation.objects.all()}
found = {}
terms = ["cymbalta", "CYMBALTA infusions", "dolor espalda", "dólor", "maria", "949 555 0142", "example.org"]
for term in [*terms, "cymbalta dolor"]:
    found[term] = sorted(names[e.pk] for e in queue(QueueFilters(search=term)))
prefix = str(Escalation.objects.get(conversation_id="web-other").pk)[:8]
found["id prefix"] = sorted(names[e.pk] for e in queue(QueueFilters(search=prefix)))
print(json.dumps({"found": found, "sql": str(queue(QueueFilters(search="cymbalta")).query)}))
"""


def run_search(database_url: str, tmp_path) -> dict:
    env = {
        **os.environ,
        "ESCALATIONS_DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "staff.settings",
        "CLINIC_VAR_DIR": str(tmp_path),
    }
    subprocess.run([sys.executable, "-m", "staff", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


EXPECTED = {
    "cymbalta": ["cymbalta"],
    "CYMBALTA infusions": ["cymbalta"],
    "dolor espalda": ["spanish"],
    "dólor": ["spanish"],
    "maria": ["maria"],
    "949 555 0142": ["maria"],
    "example.org": ["maria"],
    "cymbalta dolor": [],
    "id prefix": ["other"],
}


def test_search_on_sqlite(tmp_path):
    result = run_search(f"sqlite:///{tmp_path / 'escalations.db'}", tmp_path)
    assert result["found"] == EXPECTED
    assert "to_tsvector" not in result["sql"]


def test_search_on_postgresql_uses_full_text_search(postgres, tmp_path):
    result = run_search(postgres.create_database(f"console_search_{os.getpid()}"), tmp_path)
    assert result["found"] == EXPECTED
    assert "to_tsvector" in result["sql"] and "websearch_to_tsquery" in result["sql"]


@pytest.fixture(autouse=True)
def _no_leaks(monkeypatch):
    # The subprocesses get their own database; nothing here touches the test process's one.
    monkeypatch.delenv("ESCALATIONS_DATABASE_URL", raising=False)
