"""Real headless Chromium (Debian's package) driving the demo clinic site with the widget."""

import os
import subprocess
import sys

import pytest
from playwright.sync_api import sync_playwright

from harness.servers import ROOT, free_port, running_assistant, wait_for_http

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo site and the assistant started as bin/run-all starts them, on free ports.

    Rasa gets the same ``--cors`` (the demo site at localhost and at 127.0.0.1) and the page
    finds Rasa from the address it was opened at; ``url`` is the one `make run` prints,
    ``urls`` both.
    """
    demo_port = free_port()
    origins = [f"http://localhost:{demo_port}", f"http://127.0.0.1:{demo_port}"]
    with running_assistant(tmp_path_factory.mktemp("widget"), {"RASA_CORS_ORIGINS": ",".join(origins)}) as servers:
        demo = subprocess.Popen(
            [sys.executable, "widget/serve.py", "--port", str(demo_port)],
            cwd=ROOT,
            env={**os.environ, "RASA_PORT": servers["rasa"].rsplit(":", 1)[1]},
        )
        try:
            wait_for_http(f"{origins[1]}/")
            yield {**servers, "url": f"{origins[0]}/", "urls": [f"{origin}/" for origin in origins]}
        finally:
            demo.terminate()
            demo.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is required at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()
