"""Live handoff in real headless Chromium, two browser contexts: a visitor on the clinic's site
and a nurse in the staff console, against the real assistant.

The nurse's queue shows the visitor's crisis without a reload and raises the urgent alert; the
nurse joins, they write both ways while the assistant stays silent, the visitor sees the nurse's
name and the unread badge, the nurse hands the conversation back and the assistant answers
again. Screenshots of both sides go to tests/artifacts/ or WIDGET_SCREENSHOTS (docs/screenshots).
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from harness.servers import ROOT, free_port, running_assistant, wait_for_http
from tests.browser.conftest import ARTIFACTS

USERNAME, PASSWORD = "maria.nurse", "browser-test-pass-42"
ANSWER = 30_000
LIVE = 3_000  # the console's pages update within 3 seconds, without a reload
SHOTS = Path(os.environ.get("WIDGET_SCREENSHOTS") or ARTIFACTS)
if not SHOTS.is_absolute():
    SHOTS = ROOT / SHOTS


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    demo_port, staff_port = free_port(), free_port()
    origin = f"http://127.0.0.1:{demo_port}"
    with running_assistant(tmp_path_factory.mktemp("handoff"), {"RASA_CORS_ORIGINS": origin}) as servers:
        env = {
            **servers["env"],
            "RASA_URL": servers["rasa"],
            "RASA_API_TOKEN": servers["token"],
            "RASA_PORT": servers["rasa"].rsplit(":", 1)[1],
            "STAFF_USERNAME": USERNAME,
            "STAFF_PASSWORD": PASSWORD,
            "STAFF_DISPLAY_NAME": "Maria",
            "STAFF_TITLE": "nurse",
        }
        subprocess.run([sys.executable, "-m", "staff", "staffuser"], cwd=ROOT, env=env, check=True)
        processes = [
            subprocess.Popen([sys.executable, "widget/serve.py", "--port", str(demo_port)], cwd=ROOT, env=env),
            subprocess.Popen([sys.executable, "-m", "staff.serve", "--port", str(staff_port)], cwd=ROOT, env=env),
        ]
        try:
            wait_for_http(f"{origin}/")
            wait_for_http(f"http://127.0.0.1:{staff_port}/login/", timeout=60)
            yield {**servers, "site": f"{origin}/", "console": f"http://127.0.0.1:{staff_port}"}
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)


def ask(page, text):
    page.fill("#ccw-input", text)
    page.keyboard.press("Enter")


def test_a_nurse_takes_over_a_web_chat_and_hands_it_back(browser, deployment):
    visitor_context = browser.new_context(viewport={"width": 1280, "height": 800})
    nurse_context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Notifications the console raises, recorded as if the nurse had allowed them.
    nurse_context.add_init_script(
        "window.raised = []; window.Notification = function (title) { window.raised.push(title); };"
        "window.Notification.permission = 'default';"
        "window.Notification.requestPermission = function () {"
        "  window.Notification.permission = 'granted'; return Promise.resolve('granted'); };"
    )
    visitor, nurse = visitor_context.new_page(), nurse_context.new_page()
    try:
        nurse.goto(f"{deployment['console']}/")
        nurse.get_by_label("Username").fill(USERNAME)
        nurse.get_by_label("Password").fill(PASSWORD)
        nurse.get_by_role("button", name="Sign in").click()
        expect(nurse.get_by_role("heading", name="Escalation queue")).to_be_visible()
        expect(nurse.locator("table.queue tbody tr.urgent")).to_have_count(0)
        nurse.get_by_role("button", name="Notify me of urgent escalations").click()
        expect(nurse.get_by_role("button", name="Notify me of urgent escalations")).to_be_hidden()

        visitor.goto(deployment["site"])
        page_title = visitor.title()
        visitor.click(".ccw-launcher")
        ask(visitor, "I want to end my life")
        expect(visitor.locator(".ccw-bot").last).to_contain_text("988", timeout=ANSWER)

        # The queue shows it without a reload, with the urgent alert in the title and on the page.
        expect(nurse.locator("table.queue tbody tr.urgent")).to_have_count(1, timeout=LIVE)
        expect(nurse).to_have_title("(1 urgent) Queue · Clinic staff console")
        expect(nurse.locator("#urgent-alert")).to_contain_text("New urgent escalation")
        assert nurse.evaluate("window.raised") == ["Urgent escalation"]
        nurse.locator("table.queue tbody tr.urgent").get_by_role("link").click()
        expect(nurse.locator("#visitor-presence")).to_contain_text("Visitor connected now, chat panel open")
        nurse.get_by_role("button", name="Join conversation").click()
        expect(nurse.locator("#assistant-state")).to_contain_text("Staff mode")
        expect(nurse.locator("#case-facts")).to_contain_text("In progress")
        expect(nurse.locator("#case-facts")).to_contain_text(USERNAME)

        joined = visitor.locator(".ccw-notice").last
        expect(joined).to_contain_text("Maria, nurse from ")
        expect(joined).to_contain_text("has joined; the assistant is paused.")

        # The panel is closed when the nurse writes: a badge on the launcher and a count in the title.
        visitor.keyboard.press("Escape")
        expect(nurse.locator("#visitor-presence")).to_contain_text("chat panel closed", timeout=10_000)
        reply_box = nurse.get_by_label("Reply to the visitor (in their web chat)")
        reply_box.fill("Hi, this is Maria. Are you safe right now?")
        nurse.get_by_role("button", name="Send reply").click()
        expect(nurse.get_by_text("its panel is closed: the launcher shows a badge")).to_be_visible()
        expect(visitor.locator(".ccw-badge")).to_have_text("1")
        expect(visitor).to_have_title(f"(1) {page_title}")
        visitor.click(".ccw-launcher")
        expect(visitor.locator(".ccw-badge")).to_be_hidden()
        staff_bubble = visitor.locator(".ccw-staff").last
        expect(staff_bubble).to_contain_text("Maria, nurse")
        expect(staff_bubble).to_contain_text("Are you safe right now?")
        expect(staff_bubble.locator(".ccw-sr")).to_have_text("Maria, nurse (clinic staff) said: ")

        bot_bubbles = visitor.locator(".ccw-bot:not(.ccw-staff):not(.ccw-notice)").count()
        ask(visitor, "yes I'm safe now, can you call me tomorrow?")
        expect(nurse.locator("#transcript")).to_contain_text("can you call me tomorrow?", timeout=LIVE)
        # Handled and stored (the nurse sees it), and the assistant said nothing.
        assert visitor.locator(".ccw-bot:not(.ccw-staff):not(.ccw-notice)").count() == bot_bubbles
        reply_box.fill("Yes, I will call you at 10 tomorrow.")
        nurse.get_by_role("button", name="Send reply").click()
        expect(nurse.get_by_text("Shown in the visitor's open chat panel.")).to_be_visible()
        expect(visitor.locator(".ccw-staff").last).to_contain_text("I will call you at 10 tomorrow.")
        SHOTS.mkdir(parents=True, exist_ok=True)
        visitor.screenshot(path=SHOTS / "handoff-visitor.png")
        nurse.screenshot(path=SHOTS / "handoff-console.png", full_page=True)
        results = Axe().run(nurse)
        assert results.violations_count == 0, results.generate_report()

        nurse.get_by_role("button", name="Return to the assistant").click()
        expect(nurse.locator("#assistant-state")).to_contain_text("The assistant is answering")
        expect(visitor.locator(".ccw-notice").last).to_contain_text("handed the conversation back to the assistant")
        ask(visitor, "what is fibromyalgia")
        expect(visitor.locator(".ccw-bot:not(.ccw-staff):not(.ccw-notice)").last).to_contain_text(
            "fibromyalgia", timeout=ANSWER
        )
        results = Axe().run(visitor)
        assert results.violations_count == 0, results.generate_report()
    finally:
        visitor_context.close()
        nurse_context.close()


def test_a_draft_survives_a_reload(browser, deployment):
    sender = f"draft-{uuid.uuid4().hex}"
    answer = requests.post(
        f"{deployment['rasa']}/webhooks/rest/webhook",
        json={"sender": sender, "message": "I am feeling suicidal"},
        headers=deployment["rest_headers"],
        timeout=60,
    )
    assert answer.status_code == 200
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{deployment['console']}/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator("table.queue tbody tr").last.get_by_role("link").click()
        page.get_by_label("Add a note (staff only)").fill("Half-written note about the call")
        page.reload()
        expect(page.get_by_label("Add a note (staff only)")).to_have_value("Half-written note about the call")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator(".notes")).to_contain_text("Half-written note about the call")
        expect(page.get_by_label("Add a note (staff only)")).to_have_value("")
    finally:
        context.close()
