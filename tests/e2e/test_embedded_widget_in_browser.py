"""The chat widget embedded with one script tag on an operator's page of another origin, in headless Chromium.

The host page is served from its own port with the strict Content-Security-Policy docs/widget.md asks
of host pages, and with style rules that would break a widget living in the page's own DOM. It
talks to the real Rasa server, action server and web front; the Rasa server accepts only the
host page's origin (ALLOWED_ORIGINS).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, load_domain
from tests.e2e.browser import CHROMIUM, FLAGS
from tests.e2e.host_page import host_site
from tests.e2e.servers import Servers, free_port, running_servers

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
RESPONSES = load_domain()["responses"]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WAIT = 30_000


def answer(name: str, language: str) -> str:
    return next(v["text"] for v in RESPONSES[name] if any(c.get("value") == language for c in v.get("condition") or []))


class Deployment:
    """The servers, the allowed host site and a second site that is not allowed."""

    def __init__(self, servers: Servers, host_url: str, foreign_url: str) -> None:
        self.servers = servers
        self.host_url = host_url
        self.foreign_url = foreign_url
        self.rasa_port = int(servers.rasa_url.rsplit(":", 1)[1])
        self.restarted: subprocess.Popen | None = None

    def restart_rasa(self, while_down: callable = lambda: None) -> None:  # type: ignore[valid-type]
        """Stops the Rasa server, runs `while_down`, starts it again with the same command and waits until ready."""
        pid = self.restarted.pid if self.restarted else self.servers.pids["rasa"]
        proc = Path(f"/proc/{pid}")
        command = proc.joinpath("cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        env = dict(line.split(b"=", 1) for line in proc.joinpath("environ").read_bytes().split(b"\0") if b"=" in line)
        cwd = os.readlink(proc / "cwd")
        os.kill(pid, signal.SIGTERM)
        self._wait_port_closed()
        while_down()
        log = (self.servers.logs / "rasa-restarted.log").open("a")
        self.restarted = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.servers.rasa_url}/status?token={self.servers.token}", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            assert self.restarted.poll() is None, "the restarted Rasa server exited"
            time.sleep(0.5)
        raise AssertionError("the restarted Rasa server did not become ready")

    def _wait_port_closed(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.rasa_port)) != 0:
                    return
            time.sleep(0.2)
        raise AssertionError("the Rasa server did not stop")

    def stop(self) -> None:
        if self.restarted:
            self.restarted.terminate()
            try:
                self.restarted.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.restarted.kill()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    host_port, foreign_port = free_port(), free_port()
    host_url, foreign_url = f"http://127.0.0.1:{host_port}", f"http://127.0.0.1:{foreign_port}"
    env = {"ALLOWED_ORIGINS": host_url}
    with running_servers(tmp_path_factory.mktemp("widget-servers"), env_extra=env) as servers:
        deployed = Deployment(servers, host_url, foreign_url)
        try:
            yield deployed
        finally:
            deployed.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: the test command installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


class Visit:
    """One visitor's browser (own storage) on a site, recording page errors and CSP violations."""

    def __init__(self, browser: object, site_url: str, locale: str = "zh-CN", **context: object) -> None:
        self.context = browser.new_context(locale=locale, **context)  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.site_url = site_url
        self.errors: list[str] = []
        self.csp: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)

    def _console(self, message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if "Content Security Policy" in text:
            self.csp.append(text)

    def open(self, path: str = "/") -> Visit:
        self.page.goto(self.site_url + path)
        self.page.wait_for_selector("[data-testid=chat-launcher]", timeout=WAIT)
        return self

    def open_chat(self) -> None:
        if self.page.get_attribute("[data-testid=chat-launcher]", "aria-expanded") != "true":
            self.page.click("[data-testid=chat-launcher]")
        self.page.wait_for_selector("[data-testid=chat-input]", state="visible", timeout=WAIT)

    def bot(self):  # noqa: ANN201 (a Playwright locator)
        return self.page.locator("[data-testid=msg-bot]")

    def users(self) -> list[str]:
        return [text.split("\n")[0] for text in self.page.locator("[data-testid=msg-user]").all_inner_texts()]

    def wait_for_bot(self, count: int, timeout: int = WAIT) -> None:
        self.bot().nth(count - 1).wait_for(timeout=timeout)

    def ask(self, text: str) -> None:
        before = self.bot().count()
        self.page.fill("[data-testid=chat-input]", text)
        self.page.press("[data-testid=chat-input]", "Enter")
        self.wait_for_bot(before + 1)

    def sees(self, text: str, timeout: int = WAIT) -> None:
        self.page.locator("[data-testid=chat-log]", has_text=text).wait_for(timeout=timeout)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors
        assert not self.csp, self.csp


@pytest.fixture
def visit(browser: object, deployment: Deployment) -> Iterator[Visit]:
    with host_site(deployment.servers.web_url, deployment.servers.rasa_url, port=_port(deployment.host_url)):
        visitor = Visit(browser, deployment.host_url)
        yield visitor
        visitor.page.screenshot(path=str(deployment.servers.logs / "embedded-widget.png"))
        visitor.close()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_one_script_tag_on_a_strict_csp_page_opens_a_chat_that_answers_in_both_languages(visit):
    visit.open()
    visit.open_chat()
    visit.wait_for_bot(1)
    assert visit.bot().first.inner_text().startswith(answer("utter_welcome", "zh")[:10])

    visit.ask("携号转网需要满足什么条件")
    visit.sees(answer("utter_faq/plan_number_portability", "zh")[:12])
    visit.ask("where can I check whether my area has 5G coverage")
    visit.sees(answer("utter_faq/coverage_check_area", "en")[:20])


def test_tapping_a_button_sends_its_title_and_the_bot_answers_its_payload(visit):
    visit.open()
    visit.open_chat()
    visit.page.locator("[data-testid=quick-reply]", has_text="5G覆盖").first.click()
    visit.page.locator("[data-testid=msg-user]", has_text="5G覆盖").wait_for(timeout=WAIT)
    visit.sees(answer("utter_faq/coverage_check_area", "zh")[:12])
    assert not any(text.startswith("/") for text in visit.users())


def test_the_conversation_is_shown_again_after_a_reload_and_on_another_page_of_the_site(visit):
    visit.open()
    visit.open_chat()
    visit.wait_for_bot(1)
    visit.ask("携号转网需要满足什么条件")
    expected = answer("utter_faq/plan_number_portability", "zh")[:12]
    visit.sees(expected)
    welcome = answer("utter_welcome", "zh")[:10]

    visit.page.reload()
    visit.page.wait_for_selector("[data-testid=chat-input]", state="visible", timeout=WAIT)  # it stays open
    visit.sees(expected)
    assert visit.users() == ["携号转网需要满足什么条件"]
    time.sleep(1.5)  # a second welcome would have arrived by now
    assert visit.page.locator("[data-testid=msg-bot]", has_text=welcome).count() == 1

    visit.page.click("#to-plans")
    visit.page.wait_for_url("**/plans")
    visit.sees(expected)
    assert visit.users() == ["携号转网需要满足什么条件"]


def test_a_message_typed_while_the_rasa_server_restarts_is_sent_and_answered_once_it_is_back(visit, deployment):
    visit.open()
    visit.open_chat()
    visit.ask("携号转网需要满足什么条件")
    visit.sees(answer("utter_faq/plan_number_portability", "zh")[:12])

    def type_while_down() -> None:
        visit.page.locator("[data-testid=chat-notice]").wait_for(state="visible", timeout=WAIT)
        visit.page.fill("[data-testid=chat-input]", "where can I check whether my area has 5G coverage")
        visit.page.press("[data-testid=chat-input]", "Enter")
        visit.page.locator("[data-testid=msg-user].pending").wait_for(timeout=WAIT)

    deployment.restart_rasa(type_while_down)
    visit.sees(answer("utter_faq/coverage_check_area", "en")[:20], timeout=120_000)
    visit.page.locator("[data-testid=chat-notice]").wait_for(state="hidden", timeout=WAIT)
    assert visit.users() == ["携号转网需要满足什么条件", "where can I check whether my area has 5G coverage"]
    visit.sees(answer("utter_faq/plan_number_portability", "zh")[:12])  # the history is still there


def test_a_page_from_an_origin_not_allowed_is_refused(browser, deployment):
    servers = deployment.servers
    with host_site(servers.web_url, servers.rasa_url, port=_port(deployment.foreign_url)):
        visitor = Visit(browser, deployment.foreign_url)
        visitor.open()
        visitor.open_chat()
        visitor.page.locator("[data-testid=chat-notice]").wait_for(state="visible", timeout=WAIT)
        visitor.page.fill("[data-testid=chat-input]", "你好")
        visitor.page.press("[data-testid=chat-input]", "Enter")
        visitor.page.wait_for_timeout(3000)  # WebSocket, then long-polling, then the reconnection attempts
        assert visitor.bot().count() == 0
        assert visitor.page.evaluate("window.G5CareChat.widget.socket.connected") is False
        assert visitor.page.locator("[data-testid=msg-user].pending").count() == 1  # kept, never delivered
        visitor.errors.clear()  # the refused handshake is the expected outcome
        visitor.close()
    refused = requests.get(
        f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": deployment.foreign_url}, timeout=5
    )
    assert refused.status_code == 400
    allowed = requests.get(
        f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": deployment.host_url}, timeout=5
    )
    assert allowed.status_code == 200 and allowed.headers["Access-Control-Allow-Origin"] == deployment.host_url
    logs = "".join(path.read_text() for path in servers.logs.glob("rasa*.log"))  # before and after a restart
    assert f"{deployment.foreign_url} is not an accepted origin" in logs


def test_the_open_widget_has_no_serious_or_critical_accessibility_violation(visit):
    visit.open()
    visit.open_chat()
    visit.wait_for_bot(1)
    visit.page.evaluate(AXE.read_text(encoding="utf-8"))  # the page's CSP does not apply to the test's own script
    violations = visit.page.evaluate(
        """async () => {
            const result = await axe.run(document.querySelector("g5care-chat"));
            return result.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target)}));
        }"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_the_chat_works_with_the_keyboard_alone(visit):
    visit.open()
    for _ in range(10):
        visit.page.keyboard.press("Tab")
        if visit.page.evaluate("document.activeElement && document.activeElement.tagName") == "G5CARE-CHAT":
            break
    assert visit.page.evaluate("document.activeElement.shadowRoot.activeElement.dataset.testid") == "chat-launcher"
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_selector("[data-testid=chat-input]", state="visible", timeout=WAIT)
    assert visit.page.evaluate("document.activeElement.shadowRoot.activeElement.dataset.testid") == "chat-input"
    visit.wait_for_bot(1)
    visit.page.keyboard.type("携号转网需要满足什么条件")
    visit.page.keyboard.press("Enter")
    visit.sees(answer("utter_faq/plan_number_portability", "zh")[:12])
    visit.page.keyboard.press("Escape")
    assert visit.page.get_attribute("[data-testid=chat-launcher]", "aria-expanded") == "false"
    assert visit.page.evaluate("document.activeElement.shadowRoot.activeElement.dataset.testid") == "chat-launcher"


def test_while_closed_the_launcher_counts_unread_messages_for_eyes_and_screen_readers(visit):
    visit.open()
    badge = visit.page.locator("[data-testid=chat-unread]")
    badge.wait_for(state="visible", timeout=WAIT)  # the welcome arrived while the panel was closed
    assert badge.inner_text() == str(visit.bot().count()) != "0"
    label = visit.page.get_attribute("[data-testid=chat-launcher]", "aria-label")
    assert label == f"打开在线客服，{visit.bot().count()}条未读消息"
    visit.open_chat()
    badge.wait_for(state="hidden", timeout=WAIT)
    assert visit.page.get_attribute("[data-testid=chat-launcher]", "aria-label") == "打开在线客服"


def test_the_host_pages_css_cannot_hide_or_restyle_the_widget_and_the_widget_leaves_the_page_alone(visit):
    visit.open()
    visit.open_chat()
    launcher = visit.page.locator("[data-testid=chat-launcher]")
    assert launcher.is_visible() and visit.page.locator("[data-testid=chat-input]").is_visible()
    font = visit.page.eval_on_selector("[data-testid=chat-input]", "e => getComputedStyle(e).fontFamily")
    assert font.startswith("-apple-system") and "PingFang SC" in font  # the widget's fonts, not the host's serif
    host_text = visit.page.eval_on_selector("#host-text", "e => getComputedStyle(e).color")
    assert host_text == "rgb(255, 0, 255)"  # the host's own rule still applies to the host's elements
    assert visit.page.evaluate("document.styleSheets.length") == 1  # the widget added no stylesheet to the page


def test_on_a_phone_the_open_chat_fills_the_screen(browser, deployment):
    with host_site(deployment.servers.web_url, deployment.servers.rasa_url, port=_port(deployment.host_url)):
        phone = Visit(
            browser, deployment.host_url, viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
        )
        phone.open()
        phone.open_chat()
        phone.wait_for_bot(1)
        box = phone.page.locator("[data-testid=chat-log]").bounding_box()
        assert box is not None and box["width"] >= 370
        form_box = phone.page.locator("[data-testid=chat-input]").bounding_box()
        assert form_box is not None and form_box["y"] + form_box["height"] <= 667
        phone.page.locator("[data-testid=quick-reply]").first.tap()
        phone.wait_for_bot(2)
        phone.close()
