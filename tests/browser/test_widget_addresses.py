"""The widget at both addresses of the demo site, with Rasa started as bin/run-all starts it (--cors).

A browser refuses a response with two Access-Control-Allow-Origin headers: the widget then says
"Can't reach the assistant" at the very address `make run` prints.
"""

import pytest
from playwright.sync_api import expect

ANSWER_TIMEOUT = 30_000


@pytest.mark.parametrize("address", [0, 1], ids=["localhost", "127.0.0.1"])
def test_the_widget_answers_at_both_addresses_with_one_allow_origin_header(page, site, address):
    url = site["urls"][address]
    allow_origins = []
    page.on(
        "response",
        lambda response: (
            "/socket.io/" in response.url
            and allow_origins.append(
                [h["value"] for h in response.headers_array() if h["name"].lower() == "access-control-allow-origin"]
            )
        ),
    )
    page.goto(url)
    page.click(".ccw-launcher")
    page.fill("#ccw-input", "how long does a ketamine infusion take?")
    page.keyboard.press("Enter")
    expect(page.locator(".ccw-log")).to_contain_text("hour", timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-status")).not_to_contain_text("Can't reach the assistant")
    origin = url.rstrip("/")
    assert allow_origins and all(headers == [origin] for headers in allow_origins)
