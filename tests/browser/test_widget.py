"""The chat widget in real headless Chromium: conversation, accessibility, mobile, outages."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

ANSWER_TIMEOUT = 30_000


def open_chat(page, site):
    page.goto(site["url"])
    page.click(".ccw-launcher")
    expect(page.locator("#ccw-input")).to_be_focused()


def ask(page, text):
    page.fill("#ccw-input", text)
    page.keyboard.press("Enter")


def test_ask_a_faq_question_and_see_the_answer(page, site):
    open_chat(page, site)
    ask(page, "how long does a ketamine infusion take?")
    expect(page.locator(".ccw-typing")).to_be_visible()
    expect(page.locator(".ccw-bot").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert "not medical advice" in page.locator(".ccw-card").inner_text()
    expect(page.locator(".ccw-log")).to_contain_text("hour", timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-card")).to_contain_text("emergency, call 911")


def test_click_a_quick_reply(page, site):
    open_chat(page, site)
    ask(page, "hello")
    reply = page.locator(".ccw-reply:enabled", has_text="What is fibromyalgia?")
    expect(reply).to_be_visible(timeout=ANSWER_TIMEOUT)
    reply.click()
    expect(page.locator(".ccw-user").last).to_have_text("You said: What is fibromyalgia?")
    expect(page.locator(".ccw-log")).to_contain_text("central sensitization", timeout=ANSWER_TIMEOUT)


def test_reload_shows_the_history_and_continues_the_conversation(page, site):
    open_chat(page, site)
    ask(page, "what are the symptoms of fibromyalgia")
    expect(page.locator(".ccw-log")).to_contain_text("fibro fog", timeout=ANSWER_TIMEOUT)
    token = page.evaluate("localStorage.getItem('clinic-chat-session')")
    page.reload()
    page.click(".ccw-launcher")
    expect(page.locator(".ccw-log")).to_contain_text("what are the symptoms of fibromyalgia", timeout=ANSWER_TIMEOUT)
    expect(page.locator(".ccw-log")).to_contain_text("fibro fog")
    assert page.evaluate("localStorage.getItem('clinic-chat-session')") == token


def test_keyboard_only_conversation(page, site):
    page.goto(site["url"])
    launcher = page.locator(".ccw-launcher")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('ccw-launcher')"):
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#ccw-input")).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    page.keyboard.type("hi")
    page.keyboard.press("Enter")
    first_reply = page.locator(".ccw-reply:enabled").first
    expect(first_reply).to_be_visible(timeout=ANSWER_TIMEOUT)
    first_reply.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ccw-user")).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.locator(".ccw-panel")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_new_messages_are_announced(page, site):
    open_chat(page, site)
    log = page.locator(".ccw-log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("role", "log")


def test_axe_finds_no_accessibility_violations(page, site):
    open_chat(page, site)
    ask(page, "hello")
    expect(page.locator(".ccw-reply").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_usable_at_320px_and_screenshot_kept(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    page = context.new_page()
    open_chat(page, site)
    ask(page, "where are your clinics?")
    expect(page.locator(".ccw-log")).to_contain_text("Laguna Hills", timeout=ANSWER_TIMEOUT)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator(".ccw-send").bounding_box()
    assert box["x"] + box["width"] <= 320
    assert not page.locator(".ccw-launcher").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-320px.png"))
    context.close()


def test_usable_at_200_percent_zoom(browser, site):
    # 200% zoom of a 1280 px window lays the page out in 640 CSS pixels.
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = context.new_page()
    open_chat(page, site)
    for selector in (".ccw-close", "#ccw-input", ".ccw-send", ".ccw-options"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 640 and box["y"] + box["height"] <= 400
    context.close()


def test_message_text_is_never_html(page, site):
    open_chat(page, site)
    ask(page, "<img src=x onerror=\"document.body.dataset.pwned='1'\"> hello")
    expect(page.locator(".ccw-user").first).to_contain_text("<img src=x")
    expect(page.locator(".ccw-bot").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert page.locator(".ccw-log img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None


def test_server_down_then_up(page, site):
    open_chat(page, site)
    ask(page, "hi")
    expect(page.locator(".ccw-bot").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    site["kill_rasa"]()
    try:
        expect(page.locator(".ccw-status")).to_contain_text("Can't reach the assistant", timeout=ANSWER_TIMEOUT)
    finally:
        site["start_rasa"]()
    expect(page.locator(".ccw-status")).to_be_hidden(timeout=60_000)
    ask(page, "what is ketamine therapy")
    expect(page.locator(".ccw-log")).to_contain_text("anesthetic", timeout=ANSWER_TIMEOUT)


def test_map_links_are_labelled_and_open_safely(page, site):
    open_chat(page, site)
    ask(page, "do you have a clinic in Irvine?")
    link = page.locator(".ccw-bot a", has_text="Map of Irvine")
    expect(link).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert link.get_attribute("href").startswith("https://www.google.com/maps/")
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_a_message_typed_before_the_connection_is_kept_and_sent(page, site):
    page.route("**/widget/vendor/socket.io.min.js", lambda route: (page.wait_for_timeout(1500), route.continue_()))
    page.goto(site["url"])
    page.click(".ccw-launcher")
    ask(page, "what is ketamine therapy")
    expect(page.locator(".ccw-user")).to_have_count(1)
    expect(page.locator(".ccw-log")).to_contain_text("anesthetic", timeout=ANSWER_TIMEOUT)
