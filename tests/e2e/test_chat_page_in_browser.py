"""The bot's own chat page (the embeddable widget, open) in headless Chromium, talking to the real bot."""

import os

import pytest

from tests.conftest import load_domain
from tests.e2e.browser import CHROMIUM, FLAGS

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
RESPONSES = load_domain()["responses"]


def answer(name, language):
    return next(v["text"] for v in RESPONSES[name] if any(c.get("value") == language for c in v.get("condition") or []))


@pytest.fixture
def page(servers, tmp_path):
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: the test command installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(servers.web_url + "/")
        yield page
        page.screenshot(path=str(servers.logs / "chat-page.png"))
        browser.close()
        assert not errors, errors


def bot_text(page):
    return page.locator("[data-testid=msg-bot]")


def ask(page, text):
    before = bot_text(page).count()
    page.fill("[data-testid=chat-input]", text)
    page.click("[data-testid=chat-send]")
    # The widget lives in a shadow root: Playwright's locators look inside it, document.querySelectorAll does not.
    bot_text(page).nth(before).wait_for(timeout=30_000)


def test_the_page_welcomes_then_answers_chinese_in_chinese_and_english_in_english(page):
    expect_welcome = answer("utter_welcome", "zh")
    page.wait_for_selector("[data-testid=msg-bot]", timeout=30_000)
    assert bot_text(page).first.inner_text().startswith(expect_welcome[:10])

    ask(page, "携号转网需要满足什么条件")
    page.wait_for_selector(f"text={answer('utter_faq/plan_number_portability', 'zh')[:12]}", timeout=30_000)

    ask(page, "where can I check whether my area has 5G coverage")
    page.wait_for_selector(f"text={answer('utter_faq/coverage_check_area', 'en')[:20]}", timeout=30_000)


def test_a_quick_reply_button_sends_its_payload(page):
    page.wait_for_selector("[data-testid=quick-reply]", timeout=30_000)
    page.locator("[data-testid=quick-reply]", has_text="5G覆盖").first.click()
    page.wait_for_selector("[data-testid=msg-user] >> text=5G覆盖", timeout=10_000)
    page.wait_for_selector(f"text={answer('utter_faq/coverage_check_area', 'zh')[:12]}", timeout=30_000)
