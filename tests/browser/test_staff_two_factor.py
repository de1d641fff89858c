"""Two-factor enrolment and sign-in in real Chromium, under the console's Content-Security-Policy.

The console runs as production mode runs it (STAFF_REQUIRE_MFA=1); the test reads the key off
the enrolment page and computes the codes the way an authenticator app does.
"""

import os
import re
import subprocess
import sys
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import expect

from harness.servers import ROOT, free_port, store_env, wait_for_http
from tests.browser.conftest import ARTIFACTS

USERNAME, PASSWORD = "nurse.mfa", "browser-mfa-pass-42"


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("two-factor")
    port = free_port()
    env = {
        **os.environ,
        **store_env(workdir),
        "STAFF_REQUIRE_MFA": "1",
        "STAFF_USERNAME": USERNAME,
        "STAFF_PASSWORD": PASSWORD,
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens: the queue needs no Rasa
    }
    subprocess.run([sys.executable, "-m", "clinic.escalations", "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "-m", "staff", "staffuser"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen([sys.executable, "-m", "staff.serve", "--port", str(port)], cwd=ROOT, env=env)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/login/", timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def sign_in_with_password(page, console):
    page.goto(f"{console}/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_nurse_enrols_an_authenticator_and_signs_in_with_it(browser, console):
    blocked = []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    try:
        sign_in_with_password(page, console)
        expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
        qr = page.locator(".qr svg")
        expect(qr).to_be_visible()
        assert qr.bounding_box()["width"] >= 100  # drawn at full size: the stylesheet was allowed
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "staff-two-factor-setup.png", full_page=True)

        key = b32decode(page.locator("code.secret").first.inner_text().replace(" ", ""))
        page.get_by_label("Six-digit code").fill(f"{totp(key):06d}")
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        codes = page.locator("ul.codes code").all_inner_texts()
        assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
        page.get_by_role("link", name="Continue to the queue").click()
        expect(page.get_by_role("heading", name="Escalation queue")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

        # The next sign-in asks for a code; a recovery code works once.
        sign_in_with_password(page, console)
        expect(page.get_by_role("heading", name="Two-factor check")).to_be_visible()
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(codes[0])
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="Escalation queue")).to_be_visible()
        assert blocked == []
    finally:
        context.close()
