"""The staff console in real headless Chromium, against the real assistant and its escalations.

A visitor in crisis writes to the assistant; a nurse signs in, opens the newest urgent
escalation, reads its transcript, adds a note, resolves it and sees it leave the queue.
"""

import subprocess
import sys
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from harness.servers import ROOT, free_port, running_assistant, wait_for_http
from tests.browser.conftest import ARTIFACTS

USERNAME, PASSWORD = "nurse.browser", "browser-test-pass-42"
CRISIS_MESSAGE = "i want to kill myself"


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("console")) as servers:
        port = free_port()
        env = {
            **servers["env"],
            "RASA_URL": servers["rasa"],
            "RASA_API_TOKEN": servers["token"],
            "STAFF_USERNAME": USERNAME,
            "STAFF_PASSWORD": PASSWORD,
        }
        subprocess.run([sys.executable, "-m", "staff", "staffuser"], cwd=ROOT, env=env, check=True)
        server = subprocess.Popen([sys.executable, "-m", "staff.serve", "--port", str(port)], cwd=ROOT, env=env)
        try:
            wait_for_http(f"http://127.0.0.1:{port}/login/", timeout=60)
            yield {**servers, "url": f"http://127.0.0.1:{port}"}
        finally:
            server.terminate()
            server.wait(timeout=10)


def say(servers, sender, text):
    import requests

    response = requests.post(
        f"{servers['rasa']}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=servers["rest_headers"],
        timeout=60,
    )
    assert response.status_code == 200


def sign_in(page, console):
    page.goto(f"{console['url']}/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Escalation queue")).to_be_visible()


def test_nurse_resolves_the_newest_urgent_escalation(page, console):
    say(console, f"older-{uuid.uuid4().hex}", "I am feeling suicidal")
    sender = f"visitor-{uuid.uuid4().hex}"
    say(console, sender, "hello")
    say(console, sender, CRISIS_MESSAGE)
    sign_in(page, console)
    urgent_rows = page.locator("table.queue tbody tr.urgent")
    expect(urgent_rows).to_have_count(2)
    # Oldest first within urgent; the newest urgent one is the last urgent row.
    urgent_rows.last.get_by_role("link").click()

    expect(page.locator(".trigger")).to_have_text(CRISIS_MESSAGE)
    transcript = page.locator("ol.transcript")
    expect(transcript.locator(".turn.user").first).to_contain_text("hello")
    expect(transcript).to_contain_text(CRISIS_MESSAGE)
    expect(transcript.locator(".turn.bot")).not_to_have_count(0)
    expect(transcript).to_contain_text("988")
    expect(page.get_by_text("cannot be reached")).to_have_count(0)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "staff-detail.png", full_page=True)

    page.get_by_label("Add a note (staff only)").fill("Called 911 dispatch with the visitor's location.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".notes")).to_contain_text("Called 911 dispatch")

    page.get_by_label("Referred to emergency services").check()
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("Resolved. It has left the queue.")).to_be_visible()
    expect(page.locator("table.queue tbody tr.urgent")).to_have_count(1)
    expect(page.locator("#count-new")).to_have_text("1")
    page.screenshot(path=ARTIFACTS / "staff-queue.png", full_page=True)


def test_dashboard_has_no_accessibility_violations(page, console):
    sign_in(page, console)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("img", name="Escalations per day by reason, last 14 days")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_queue_page_has_no_accessibility_violations_and_fits_320px(browser, console):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        sign_in(page, console)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.screenshot(path=ARTIFACTS / "staff-queue-320px.png", full_page=True)
    finally:
        context.close()
