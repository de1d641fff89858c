"""The widget's conversation experience in real headless Chromium: the greeting card, whole
answers with linked sources, quick replies, tappable numbers, conversation controls, ratings,
queued messages, and axe at every new state, at 320 px and at 200% and 400% zoom.

Screenshots of each state go to tests/artifacts/, or to the folder WIDGET_SCREENSHOTS names
(`WIDGET_SCREENSHOTS=docs/screenshots` refreshes the README's pictures).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from harness.servers import ROOT
from tests.browser.conftest import ARTIFACTS

ANSWER_TIMEOUT = 30_000
SHOTS = Path(os.environ.get("WIDGET_SCREENSHOTS") or ARTIFACTS)
if not SHOTS.is_absolute():
    SHOTS = ROOT / SHOTS
# Window sizes in CSS pixels: a desktop, a small phone, and a 1280x800 window at 200% and 400% zoom.
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 320, "height": 568}
ZOOM_200 = {"width": 640, "height": 400}
ZOOM_400 = {"width": 320, "height": 200}


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_at(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, device_scale_factor=2 if viewport != DESKTOP else 1)
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()


def open_chat(page, site):
    page.goto(site["url"])
    page.click(".ccw-launcher")
    expect(page.locator("#ccw-input")).to_be_focused()


def ask(page, text):
    page.fill("#ccw-input", text)
    page.keyboard.press("Enter")


def no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def shoot(page, name, element=".ccw-panel"):
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = page.locator(element) if element else page
    target.screenshot(path=str(SHOTS / f"widget-{name}.png"))


def answer_bubble(page):
    """The bubble of the latest answer, once it holds an FAQ answer's sources."""
    bubble = page.locator(".ccw-bot", has=page.locator(".ccw-sources")).last
    expect(bubble).to_be_visible(timeout=ANSWER_TIMEOUT)
    return bubble


def tracker_events(site, conversation_id):
    response = requests.get(
        f"{site['rasa']}/conversations/{conversation_id}/tracker", params={"token": site["token"]}, timeout=30
    )
    response.raise_for_status()
    return response.json()["events"]


def session_token(page):
    return page.evaluate("localStorage.getItem('clinic-chat-session')")


def test_first_open_shows_the_greeting_card_and_a_returning_visitor_sees_the_history(open_page, site):
    page = open_page()
    open_chat(page, site)
    card = page.locator(".ccw-card")
    expect(card.locator("h3")).to_have_text("Hi! I'm Sunny, the clinic assistant.")
    expect(card).to_contain_text("ketamine infusion therapy and our clinics")
    suggestions = card.locator(".ccw-reply")
    expect(suggestions).to_have_count(4)
    # The not-medical-advice note is said once, in the card, not again as a message.
    assert page.locator(".ccw-panel").inner_text().count("not medical advice") == 1
    no_axe_violations(page)
    shoot(page, "greeting")
    suggestions.filter(has_text="Where are your clinics?").click()
    expect(page.locator(".ccw-user").first).to_contain_text("Where are your clinics?")
    expect(page.locator(".ccw-bot").first).to_contain_text("Laguna Hills", timeout=ANSWER_TIMEOUT)
    expect(suggestions.first).to_be_disabled()
    assert page.locator(".ccw-panel").inner_text().count("not medical advice") == 1
    page.reload()
    page.click(".ccw-launcher")
    expect(page.locator(".ccw-user").first).to_contain_text("Where are your clinics?", timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-card")).to_have_count(0)


def test_one_bubble_per_answer_with_the_view_at_its_start(open_page, site):
    page = open_page({"width": 390, "height": 500})
    open_chat(page, site)
    ask(page, "what is ketamine therapy")
    answer_bubble(page)
    ask(page, "what are the symptoms of fibromyalgia")
    expect(page.locator(".ccw-bot")).to_have_count(2, timeout=ANSWER_TIMEOUT)
    bubble = answer_bubble(page)
    # The whole answer is one bubble, its list a real list, and nothing else was added as a bubble.
    expect(bubble.locator(".ccw-part > ul > li")).to_have_count(6)
    expect(bubble).to_contain_text("in flares")
    expect(bubble).not_to_contain_text("Sources: NIAMS")
    page.wait_for_timeout(300)  # a later message of the same answer must not move the view either
    log_box = page.locator(".ccw-log").bounding_box()
    bubble_box = bubble.bounding_box()
    assert page.evaluate("document.querySelector('.ccw-log').scrollTop") > 0
    assert 0 <= bubble_box["y"] - log_box["y"] <= 24, (bubble_box, log_box)
    assert bubble_box["height"] > log_box["height"] / 2
    # Bubbles size to their content: the visitor's short question is narrower than the answer.
    assert page.locator(".ccw-user").first.bounding_box()["width"] < bubble_box["width"] * 0.8
    expect(bubble.locator("time")).to_have_count(0)  # the time sits under the bubble, discreetly
    expect(page.locator(".ccw-meta time")).to_have_count(4)
    no_axe_violations(page)
    shoot(page, "answer", element=None)


def test_sources_are_a_collapsible_line_of_links(open_page, site):
    page = open_page()
    open_chat(page, site)
    ask(page, "what is fibromyalgia")
    sources = answer_bubble(page).locator(".ccw-sources")
    # The three English references: the Spanish-language ones are for Spanish conversations (issue 19).
    expect(sources.locator("summary")).to_have_text("Sources (3)")
    expect(sources.locator("a[href*='/spanish/'], a[href*='/es/']")).to_have_count(0)
    link = sources.locator("a", has_text="Fibromyalgia").first
    expect(link).to_be_hidden()
    sources.locator("summary").click()
    expect(link).to_be_visible()
    assert link.get_attribute("href") == "https://www.niams.nih.gov/health-topics/fibromyalgia"
    assert link.get_attribute("rel") == "noopener noreferrer" and link.get_attribute("target") == "_blank"
    expect(sources.locator("a[href='https://doi.org/10.1001/jama.2014.3266']")).to_be_visible()
    no_axe_violations(page)
    shoot(page, "sources")


def test_quick_replies_are_disabled_after_use_and_kept_after_reload(open_page, site):
    page = open_page()
    open_chat(page, site)
    ask(page, "hello")
    replies = page.locator(".ccw-log > .ccw-replies .ccw-reply")
    expect(replies).to_have_count(3, timeout=ANSWER_TIMEOUT)
    page.reload()
    page.click(".ccw-launcher")
    expect(replies).to_have_count(3, timeout=ANSWER_TIMEOUT)
    for index in range(3):
        expect(replies.nth(index)).to_be_enabled()  # still the current offer
    replies.filter(has_text="What is fibromyalgia?").click()
    expect(page.locator(".ccw-bot").last).to_contain_text("central sensitization", timeout=ANSWER_TIMEOUT)
    for index in range(3):
        expect(replies.nth(index)).to_be_disabled()
    replies.first.scroll_into_view_if_needed()
    no_axe_violations(page)
    shoot(page, "quick-replies-used")
    page.reload()
    page.click(".ccw-launcher")
    expect(page.locator(".ccw-user").last).to_have_text("You said: What is fibromyalgia?", timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-log")).not_to_contain_text("/fibro_definition")
    expect(replies).to_have_count(3)
    for index in range(3):
        expect(replies.nth(index)).to_be_disabled()


def test_emergency_and_clinic_numbers_and_addresses_are_tappable(open_page, site):
    page = open_page()
    open_chat(page, site)
    card = page.locator(".ccw-card")
    clinic = ("tel:+19495550100", "sms:+19495550100", "mailto:hello@example-clinic.org")
    for href in ("tel:911", "tel:988", "sms:988", *clinic):
        expect(card.locator(f"a[href='{href}']")).to_have_count(1)
    ask(page, "how do I contact the Irvine clinic?")
    answer = page.locator(".ccw-bot").last
    expect(answer.locator("a[href='tel:+19495550102']")).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(answer.locator("a[href='mailto:irvine@example-clinic.org']")).to_be_visible()
    ask(page, "where is the Irvine clinic?")
    expect(page.locator(".ccw-bot").last.locator("a[href^='https://www.google.com/maps/']")).to_be_visible(
        timeout=ANSWER_TIMEOUT
    )


def test_the_offline_notice_links_911_and_988(open_page, site):
    page = open_page(PHONE)
    page.route("**/widget/vendor/socket.io.min.js", lambda route: route.abort())
    page.goto(site["url"])
    page.click(".ccw-launcher")
    status = page.locator(".ccw-status")
    expect(status).to_contain_text("Can't reach the assistant")
    expect(status.locator("a[href='tel:911']")).to_be_visible()
    expect(status.locator("a[href='tel:988']")).to_be_visible()
    no_axe_violations(page)
    shoot(page, "offline", element=None)


def test_start_over_begins_a_new_conversation_and_keeps_the_old_one_for_staff(open_page, site):
    page = open_page()
    open_chat(page, site)
    ask(page, "how long does a ketamine infusion take?")
    answer_bubble(page)
    old = session_token(page).split(".")[0]
    page.click(".ccw-options")
    expect(page.locator(".ccw-options")).to_have_attribute("aria-expanded", "true")
    no_axe_violations(page)
    shoot(page, "options")
    page.click(".ccw-start-over")
    expect(page.locator(".ccw-card")).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-user")).to_have_count(0)
    expect(page.locator(".ccw-bot")).to_have_count(0)
    page.wait_for_function(f"(localStorage.getItem('clinic-chat-session') || '').split('.')[0] !== {old!r}")
    assert session_token(page).startswith("web-")
    assert any(e.get("text") == "how long does a ketamine infusion take?" for e in tracker_events(site, old))


def test_download_transcript_saves_the_visible_conversation_as_text(open_page, site, tmp_path):
    page = open_page()
    open_chat(page, site)
    ask(page, "what is fibromyalgia")
    answer_bubble(page)
    page.click(".ccw-options")
    with page.expect_download() as download:
        page.click(".ccw-download")
    path = tmp_path / "transcript.txt"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".txt")
    text = path.read_text(encoding="utf-8")
    assert "You:\nwhat is fibromyalgia" in text
    assert "Assistant:\nFibromyalgia is a long-term condition" in text
    assert "Sources: Fibromyalgia <https://www.niams.nih.gov/health-topics/fibromyalgia>" in text
    assert "<" not in text.split("Sources:")[0].replace("<https", "")  # plain text, no markup


def test_end_chat_forgets_the_conversation_on_this_device(open_page, site):
    page = open_page()
    open_chat(page, site)
    ask(page, "what is fibromyalgia")
    answer_bubble(page)
    page.click(".ccw-options")
    page.click(".ccw-end")
    expect(page.locator(".ccw-panel")).to_be_hidden()
    assert session_token(page) is None
    page.click(".ccw-launcher")
    expect(page.locator(".ccw-card")).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-log")).not_to_contain_text("what is fibromyalgia")
    page.reload()
    page.click(".ccw-launcher")
    expect(page.locator(".ccw-card")).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-log")).not_to_contain_text("what is fibromyalgia")


def list_ratings(site):
    output = subprocess.run(
        [sys.executable, "-m", "clinic.ratings", "list", "--endpoints", site["endpoints"]],
        cwd=ROOT,
        env=site["env"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def test_a_thumbs_down_with_its_reason_is_stored_with_the_conversation(open_page, site):
    page = open_page()
    open_chat(page, site)
    ask(page, "does insurance cover ketamine?")
    rating = answer_bubble(page).locator(".ccw-rating")
    expect(rating).to_contain_text("Was this helpful?")
    rating.locator(".ccw-rate-down").click()
    expect(rating).to_contain_text("What went wrong? (optional)")
    expect(rating.locator(".ccw-reason-wrong_topic")).to_be_focused()
    rating.scroll_into_view_if_needed()
    no_axe_violations(page)
    shoot(page, "rating")
    rating.locator(".ccw-reason-not_clear").click()
    expect(rating).to_contain_text("Thanks for your feedback.")
    conversation_id = session_token(page).split(".")[0]
    stored = [r for r in list_ratings(site) if r["conversation_id"] == conversation_id]
    assert [(r["response"], r["value"], r["reason"], r["message"]) for r in stored] == [
        ("utter_cost_insurance", "down", "not_clear", "does insurance cover ketamine?")
    ]
    page.reload()
    page.click(".ccw-launcher")
    expect(page.locator(".ccw-rating").last).to_have_text("Thanks for your feedback.", timeout=ANSWER_TIMEOUT)


def test_wanting_a_person_after_a_thumbs_down_asks_for_one(open_page, site):
    page = open_page()
    open_chat(page, site)
    ask(page, "how long does a ketamine infusion take?")
    rating = answer_bubble(page).locator(".ccw-rating")
    rating.locator(".ccw-rate-down").click()
    rating.locator(".ccw-reason-want_person").click()
    expect(rating).to_contain_text("Thanks for your feedback.")
    expect(page.locator(".ccw-user").last).to_have_text("You said: I want to talk to a person")
    expect(page.locator(".ccw-bot").last).to_contain_text("contact you", timeout=ANSWER_TIMEOUT)
    conversation_id = session_token(page).split(".")[0]
    stored = [r for r in list_ratings(site) if r["conversation_id"] == conversation_id]
    assert [(r["value"], r["reason"]) for r in stored] == [("down", "want_person")]


# The socket.io client, changed to connect only when the test says so and to count what it sends.
HELD_CONNECTION = """
;(function () {
  var realIo = window.io;
  window.io = function (url, options) {
    var socket = realIo(url, Object.assign({}, options, { autoConnect: false }));
    window.connectNow = function () { socket.connect(); };
    window.sends = {};  // how many times each message went out
    var emit = socket.emit;
    socket.emit = function (name, data) {
      if (name === "user_uttered") window.sends[data.id] = (window.sends[data.id] || 0) + 1;
      return emit.apply(this, arguments);
    };
    return socket;
  };
})();
"""


def test_twenty_messages_typed_offline_are_sent_in_small_batches_each_confirmed(open_page, site):
    page = open_page()

    def hold(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + HELD_CONNECTION)

    page.route("**/widget/vendor/socket.io.min.js", hold)
    page.goto(site["url"])
    page.click(".ccw-launcher")
    page.wait_for_function("window.connectNow !== undefined")
    page.evaluate("for (let i = 0; i < 20; i++) window.ClinicChat.send('thank you ' + i, 'thank you ' + i)")
    expect(page.locator(".ccw-user")).to_have_count(20)
    expect(page.locator(".ccw-pending")).to_have_count(20)
    expect(page.locator(".ccw-pending").first).to_have_text(" · Not sent yet. Retrying…")
    page.evaluate("window.connectNow()")
    expect(page.locator(".ccw-pending")).to_have_count(0, timeout=120_000)
    # Sent all at once, engine.io refuses the payload ("Too many packets in payload") and the
    # messages get through only by retries. In small batches each goes once.
    assert list(page.evaluate("window.sends").values()) == [1] * 20
    conversation_id = session_token(page).split(".")[0]
    users = [e["text"] for e in tracker_events(site, conversation_id) if e["event"] == "user"]
    assert users == [f"thank you {i}" for i in range(20)]


def test_a_message_not_confirmed_shows_as_not_sent_and_is_retried(open_page, site):
    page = open_page()
    open_chat(page, site)
    ask(page, "hi")
    expect(page.locator(".ccw-bot").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-pending")).to_have_count(0)
    site["kill_rasa"]()
    try:
        expect(page.locator(".ccw-status")).to_contain_text("Can't reach the assistant", timeout=ANSWER_TIMEOUT)
        ask(page, "what is ketamine therapy")
        expect(page.locator(".ccw-pending")).to_have_text(" · Not sent yet. Retrying…")
    finally:
        site["start_rasa"]()
    expect(page.locator(".ccw-pending")).to_have_count(0, timeout=60_000)
    expect(page.locator(".ccw-log")).to_contain_text("anesthetic", timeout=ANSWER_TIMEOUT)


@pytest.mark.parametrize(
    "viewport,name", [(PHONE, "320px"), (ZOOM_200, "zoom-200"), (ZOOM_400, "zoom-400")], ids=["320px", "200%", "400%"]
)
def test_every_state_reflows_without_violations(open_page, site, viewport, name):
    page = open_page(viewport)
    open_chat(page, site)
    width = viewport["width"]

    def fits():
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("document.querySelector('.ccw-panel').scrollWidth") <= width
        for selector in (".ccw-close", ".ccw-options", "#ccw-input", ".ccw-send"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
            assert box["y"] + box["height"] <= viewport["height"], selector

    shoot(page, f"{name}-greeting", element=None)
    fits()
    if viewport == PHONE:  # the greeting's suggestions are on screen, not scrolled away
        last = page.locator(".ccw-card .ccw-reply").last.bounding_box()
        log = page.locator(".ccw-log").bounding_box()
        assert last["y"] + last["height"] <= log["y"] + log["height"]
    no_axe_violations(page)
    ask(page, "what are the symptoms of fibromyalgia")
    bubble = answer_bubble(page)
    bubble.locator("summary").click()
    bubble.locator(".ccw-rate-down").click()
    expect(bubble.locator(".ccw-reason-wrong_topic")).to_be_visible()
    fits()
    no_axe_violations(page)
    page.click(".ccw-options")
    fits()
    no_axe_violations(page)
    shoot(page, f"{name}-answer", element=None)


def test_staff_replies_render_the_safe_markdown_subset_and_nothing_else(open_page, site):
    page = open_page()
    open_chat(page, site)
    expect(page.locator(".ccw-card")).to_be_visible(timeout=ANSWER_TIMEOUT)
    text = (
        "**Hello** from Dana.\n\n- Call 911 now, or 1-800-222-1222\n- or text 988\n\n"
        "<img src=x onerror=\"document.body.dataset.pwned='1'\"> [click](javascript:alert(1)) "
        "x@example.org?bcc=all@example.org see https://example.org/a."
    )
    response = requests.post(
        f"{site['rasa']}/webhooks/socketio/staff_message",
        params={"token": site["token"]},
        json={"conversation_id": session_token(page).split(".")[0], "text": text},
        timeout=30,
    )
    assert response.json()["delivered"] is True
    bubble = page.locator(".ccw-staff")
    expect(bubble).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(bubble.locator("strong")).to_have_text("Hello")
    expect(bubble.locator("ul > li")).to_have_count(2)
    hrefs = bubble.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    # An address never carries extra fields into the mail app (no "?bcc=" in a mailto: link).
    mails = ["mailto:x@example.org", "mailto:all@example.org"]
    assert hrefs == ["tel:911", "tel:+18002221222", "sms:988", *mails, "https://example.org/a"]
    expect(bubble).to_contain_text("<img src=x")
    expect(bubble).to_contain_text("[click](javascript:alert(1))")
    assert page.locator(".ccw-log img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
