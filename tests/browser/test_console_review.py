"""The second-generation console in real Chromium: triage queue, questions to review, dashboard.

A content editor labels a group of misunderstood questions in the browser; `make review-export`
then writes NLU YAML that `rasa data validate` accepts together with the project's own data.
axe checks every new page (queue, detail, review, dashboard, audit, 403, 404); the pages are
screenshotted into tests/artifacts/ (docs/screenshots/ holds the copies the README shows).

The conversations are written with Rasa's own SQL tracker store (the file the console reads),
so the console reads exactly what Rasa writes; the escalations through the console's models.
"""

import asyncio
import os
import re
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from harness.servers import ROOT, free_port, store_env, wait_for_http
from tests.browser.conftest import ARTIFACTS

PASSWORD = "browser-review-pass-42"
USERS = {"nurse.kim": "staff", "lead.ana": "admin", "editor.eve": "content_editor"}
MEDICARE = ["does medicare cover ketamine", "do you take medicare?", "is medicare accepted", "medicare for infusions?"]
OTHER = ["my number is 949 555 0142 can someone call about parking", "blorp blorp"]

SEED = r"""
import django
django.setup()
from datetime import UTC, datetime, timedelta
from django.contrib.auth import get_user_model
from staff.escalations.models import Escalation

now = datetime.now(UTC)
kim = get_user_model().objects.get(username="nurse.kim")
rows = [
    ("crisis", "", "socketio", "en", 3, None, "I can't do this anymore"),
    ("crisis", "", "sms", "es", 18, None, "ya no puedo más"),
    ("medical_advice", "Maria", "socketio", "en", 95, kim, "Can I take Cymbalta with ketamine?"),
    ("request_human", "Jon", "sms", "en", 200, None, "can a nurse call me about my infusion"),
    ("appointment", "Lucía", "socketio", "es", 40, None, "quiero una cita en Irvine"),
    ("fallback", "", "socketio", "en", 300, None, "do you do TMS"),
]
# Resolved ones, for the dashboard's outcomes and response times.
rows += [
    ("crisis", "", "socketio", "en", 600, kim, "I want to end it", "referred_emergency"),
    ("appointment", "Ana", "sms", "es", 900, kim, "una cita por favor", "appointment_booked"),
    ("request_human", "Bo", "socketio", "en", 1500, kim, "call me", "called_back"),
]
for index, (reason, name, channel, language, minutes, assignee, said, *outcome) in enumerate(rows):
    at = now - timedelta(minutes=minutes)
    Escalation.objects.create(
        idempotency_key=f"browser-{index}", created_at=at, channel=channel, conversation_id=f"web-seed-{index}",
        reason=reason, priority="urgent" if reason == "crisis" else "normal", first_name=name,
        language=language, triggering_message=said, assigned_to=assignee,
        status="resolved" if outcome else "in_progress" if assignee else "new", outcome=outcome[0] if outcome else "",
        first_action_at=at + timedelta(minutes=4 + index) if assignee else None,
        transcript=[{"role": "user", "text": said, "at": at.isoformat()}],
    )
"""


def seed_tracker(path):
    """Visitor messages the NLU could not place, as Rasa's SQL tracker store keeps them."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    now = datetime.now(UTC).timestamp()
    for index, text in enumerate(MEDICARE + OTHER):
        tracker = DialogueStateTracker(f"web-review-{index}", slots=[])
        intent = {"name": "nlu_fallback", "confidence": 0.2}
        tracker.update(
            UserUttered(
                text, intent=intent, parse_data={"intent": intent}, input_channel="socketio", timestamp=now - index
            )
        )
        asyncio.run(store.save(tracker))
    # Answered conversations, some in Spanish, with "was this helpful?" ratings as the web chat keeps them.
    answered = [
        ("es", "¿cuánto dura el alivio?", "ketamine_duration", "up"),
        ("es", "horario de la clínica", "clinic_hours", "up"),
        ("en", "how long does relief last", "ketamine_duration", "down"),
        ("en", "what are your hours", "clinic_hours", "up"),
    ]
    for index, (language, text, intent, rating) in enumerate(answered):
        tracker = DialogueStateTracker(f"web-answered-{index}", slots=[])
        parsed = {"name": intent, "confidence": 0.97}
        tracker.update(SlotSet("language", language, timestamp=now - 100 - index))
        said = UserUttered(
            text, intent=parsed, parse_data={"intent": parsed}, input_channel="socketio", timestamp=now - 90 - index
        )
        tracker.update(said)
        value = {"response": f"utter_{intent}", "answer_at": now - 80, "message": text, "value": rating, "reason": None}
        tracker.update(SlotSet("answer_rating", value, timestamp=now - 70 - index))
        asyncio.run(store.save(tracker))
    # The conversation of the first seeded escalation: not contained.
    tracker = DialogueStateTracker("web-seed-0", slots=[])
    crisis = {"name": "crisis", "confidence": 0.99}
    tracker.update(
        UserUttered(
            "I can't do this anymore",
            intent=crisis,
            parse_data={"intent": crisis},
            input_channel="socketio",
            timestamp=now - 180,
        )
    )
    asyncio.run(store.save(tracker))
    store.engine.dispose()


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("console-review")
    port = free_port()
    env = {
        **os.environ,
        **store_env(workdir),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "STAFF_PASSWORD": PASSWORD,
    }
    subprocess.run([sys.executable, "-m", "clinic.escalations", "migrate"], cwd=ROOT, env=env, check=True)
    for username, role in USERS.items():
        subprocess.run(
            [sys.executable, "-m", "staff", "staffuser"],
            cwd=ROOT,
            env={**env, "STAFF_USERNAME": username, "STAFF_ROLE": role},
            check=True,
        )
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "staff.settings"}
    subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=seed_env, check=True)
    # In a thread of its own: Playwright's sync API already runs an event loop in this one.
    seeding = threading.Thread(target=seed_tracker, args=(workdir / "tracker.db",))
    seeding.start()
    seeding.join()
    server = subprocess.Popen([sys.executable, "-m", "staff.serve", "--port", str(port)], cwd=ROOT, env=env)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/login/", timeout=60)
        yield {"url": f"http://127.0.0.1:{port}", "env": env, "workdir": workdir}
    finally:
        server.terminate()
        server.wait(timeout=10)


def signed_in(browser, console, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{console['url']}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def axe_clean(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_nurse_triages_with_presets_shortcuts_and_canned_replies(browser, console):
    context, page = signed_in(browser, console, "nurse.kim")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.first.locator("a.row-link")).to_have_text("Crisis: suicide — SMS — 18 min")  # urgent, oldest first
    expect(page.locator(".sla.red")).not_to_have_count(0)
    axe_clean(page)
    screenshot(page, "console-queue")
    page.get_by_role("link", name="Spanish", exact=True).click()
    expect(rows).to_have_count(2)
    assert page.url.endswith("/?language=es")
    page.get_by_role("link", name="All open").click()
    # j selects the first row, j again the second; a assigns it to the nurse.
    page.locator("body").press("j")
    page.locator("body").press("j")
    second = rows.nth(1).locator("a.row-link").inner_text()
    page.keyboard.press("a")
    expect(page.locator(".message.success")).to_contain_text("1 escalation(s) changed")
    expect(page.locator("table.queue tbody tr", has_text=second)).to_contain_text("nurse.kim")
    page.get_by_role("link", name="Lucía").click()
    page.get_by_label("Canned reply").select_option(label="Callback soon (Spanish)")
    page.get_by_role("button", name="Insert").click()
    expect(page.get_by_label("Reply to the visitor (in their web chat)")).to_have_value(
        re.compile(r"^Hola Lucía, somos el equipo")
    )
    axe_clean(page)
    context.close()


def test_a_content_editor_labels_a_group_and_the_export_validates(browser, console, tmp_path):
    context, page = signed_in(browser, console, "editor.eve")
    expect(page.get_by_role("heading", name="Questions to review")).to_be_visible()
    group = page.locator("section.group", has_text="people asked about “medicare")
    expect(group.get_by_role("heading")).to_have_text(re.compile(r"^4 people asked about “medicare"))
    expect(page.locator("body")).not_to_contain_text("949 555 0142")
    expect(page.locator("body")).to_contain_text("my number is <phone> can someone call about parking")
    axe_clean(page)
    screenshot(page, "console-review")
    group.get_by_label("Decision").select_option("labelled")
    group.get_by_label("Intent").select_option("cost_insurance")
    group.get_by_role("button", name="Save decision").click()
    expect(page.locator(".message.success")).to_contain_text("4 message(s) recorded as “Labelled with an intent”")
    expect(page.locator("section.group", has_text="medicare")).to_have_count(0)
    axe_clean(page)
    context.close()

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    subprocess.run(
        ["make", "-s", "review-export", f"REVIEW_DATA_DIR={data}", f"REVIEW_STORIES={tmp_path / 'stories.yml'}"],
        cwd=ROOT,
        env=console["env"],
        check=True,
    )
    reviewed = yaml.safe_load((data / "nlu_reviewed.yml").read_text(encoding="utf-8"))
    examples = reviewed["nlu"][0]["examples"]
    assert reviewed["nlu"][0]["intent"] == "cost_insurance" and all(f"- {text}" in examples for text in MEDICARE)
    assert "blorp" not in examples  # not labelled: not exported
    stories = yaml.safe_load((tmp_path / "stories.yml").read_text(encoding="utf-8"))["stories"]
    assert len(stories) == len(MEDICARE)
    validate = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rasa"), "data", "validate", "--fail-on-warnings", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert validate.returncode == 0, validate.stdout[-3000:] + validate.stderr[-3000:]


def test_dashboard_audit_and_error_pages_are_accessible(browser, console):
    context, page = signed_in(browser, console, "nurse.kim")
    page.goto(f"{console['url']}/dashboard/")
    expect(page.get_by_role("heading", name="Escalations by reason and outcome")).to_be_visible()
    axe_clean(page)
    screenshot(page, "console-dashboard")
    page.goto(f"{console['url']}/audit/")
    expect(page.locator("#reason")).to_contain_text("The audit log is for admins")
    axe_clean(page)
    page.goto(f"{console['url']}/no-such-page/")
    expect(page.locator("#reason")).to_contain_text("There is no page or escalation at this address")
    axe_clean(page)
    context.close()
    context, page = signed_in(browser, console, "lead.ana")
    page.goto(f"{console['url']}/audit/")
    expect(page.locator("table tbody")).to_contain_text("nurse.kim took it")
    axe_clean(page)
    context.close()
