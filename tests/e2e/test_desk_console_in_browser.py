"""The support desk console in headless Chromium, against the real web app (uvicorn) on a migrated SQLite file."""

import os
import secrets
import subprocess
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from bot.complaints import services
from bot.complaints.model import ERASED, Status
from bot.complaints.services import request_erasure
from bot.db import session_factory
from bot.desk import accounts
from bot.desk.permissions import Role
from bot.desk.unit_of_work import DeskUnitOfWork
from tests.e2e.browser import CHROMIUM, FLAGS
from tests.e2e.servers import APP_BIN, ROOT, free_port, wait_for
from tests.factories import a_draft
from tests.integration.conftest import migrate

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
BUNDLE = ROOT / "bot" / "web" / "static" / "build" / "desk.js"
PASSWORD = "correct horse battery"
PHONE = "13912345678"


def draft(**changes):
    """A complaint draft from a user in Guangzhou, consent given now."""
    place, description = "广东省广州市天河区", "小区里5G信号一直很差，晚上经常断网"
    values = {"place": place, "description": description, "contact_phone": PHONE, "sender_id": "web-user", **changes}
    return a_draft(datetime.now(timezone.utc), **values)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The web app on a free port, with a supervisor, an agent, one overdue and one fresh complaint."""
    workdir = tmp_path_factory.mktemp("desk")
    url = f"sqlite:///{workdir / 'app.db'}"
    migrate(url)
    uow = lambda: DeskUnitOfWork(session_factory(url))  # noqa: E731
    now = datetime.now(timezone.utc)
    for name, role in (("sam", Role.SUPERVISOR), ("alice", Role.AGENT)):
        accounts.create_user(uow(), accounts.Passwords(), username=name, password=PASSWORD, role=role, now=now, by=None)
    overdue = services.open_complaint(uow(), draft(description="上个月的问题还没人回复"), now - timedelta(days=20), "o")
    fresh = services.open_complaint(uow(), draft(), now - timedelta(hours=1), "f")
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": url,
        "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "DESK_SECRET_KEY": secrets.token_urlsafe(48),
        "NOTIFY_WORKER_ENABLED": "false",
    }
    command = [str(APP_BIN / "uvicorn"), "bot.web.app:create_app", "--factory", "--ws", "none"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = workdir / "web.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", 60, process, log)
        yield {
            "url": f"http://127.0.0.1:{port}",
            "db": url,
            "dir": workdir,
            "overdue": overdue.ticket,
            "fresh": fresh.ticket,
        }
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def browser_page(site):
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: the test command installs Debian's chromium")
    if not BUNDLE.exists():
        pytest.fail(f"{BUNDLE} missing: build it with `cd web && npm run build`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_context(locale="zh-CN").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not expected(m.text) else None)
        page.goto(site["url"] + "/desk/")
        yield page
        page.screenshot(path=str(site["dir"] / "desk.png"), full_page=True)
        browser.close()
        assert not errors, errors


def expected(console_error):
    """The browser logs the refused logins (401, 429) of the wrong-password steps; CSP violations and the rest count."""
    return console_error.endswith(("status of 401 (Unauthorized)", "status of 429 (Too Many Requests)"))


def log_in(page, username):
    page.fill("[data-testid=login-username]", username)
    page.fill("[data-testid=login-password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=queue-row]", timeout=15_000)


def stored(site, ticket):
    with DeskUnitOfWork(session_factory(site["db"])) as uow:
        return uow.complaints.get(ticket), uow.complaints.audit_trail(ticket)


def test_an_agent_logs_in_claims_a_complaint_writes_to_the_user_and_resolves_it(site, browser_page):
    page = browser_page
    page.fill("[data-testid=login-username]", "alice")
    page.fill("[data-testid=login-password]", "wrong password!")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=login-error] >> text=用户名或密码错误")
    log_in(page, "alice")

    rows = page.locator("[data-testid=queue-row]")
    assert [rows.nth(i).get_attribute("data-ticket") for i in range(rows.count())] == [site["overdue"], site["fresh"]]
    assert rows.first.locator("[data-testid=overdue-badge]").count() == 1
    assert set(page.locator("[data-testid=queue-phone]").all_inner_texts()) == {"139****5678"}

    page.click(f"[data-testid=queue-row][data-ticket='{site['fresh']}'] [data-testid=open-complaint]")
    page.wait_for_selector("[data-testid=transcript-entry]")
    assert page.locator("[data-testid=transcript-entry]").all_inner_texts()[0].endswith("我要投诉，家里5G信号很差")
    assert page.inner_text("[data-testid=contact-phone]") == "139****5678"

    page.click("[data-testid=claim]")
    page.wait_for_selector("[data-testid=complaint-status][data-status=in_progress]")
    assert page.inner_text("[data-testid=assigned-agent]") == "alice"
    page.reload()  # the assigned agent now sees the number
    page.wait_for_selector(f"[data-testid=contact-phone] >> text={PHONE}")

    page.fill("[data-testid=note-text]", "您好，工程师将在明天上午上门检测信号。")
    page.check("[data-testid=note-to-user]")
    page.click("[data-testid=note-submit]")
    page.wait_for_selector("[data-testid=note] >> text=工程师将在明天上午上门检测信号")

    page.fill("[data-testid=resolution]", "已调整附近基站天线方向，信号恢复正常。")
    page.click("[data-testid=resolve]")
    page.wait_for_selector("[data-testid=complaint-status][data-status=resolved]")

    complaint, trail = stored(site, site["fresh"])
    assert (complaint.status, complaint.assigned_agent) == (Status.RESOLVED, "alice")
    assert complaint.resolution == "已调整附近基站天线方向，信号恢复正常。"
    assert [(n.author, n.to_user) for n in complaint.notes] == [("alice", True)]
    assert complaint.first_response_at is not None and complaint.resolved_at is not None
    assert [(e.actor, e.action) for e in trail] == [
        ("bot", "created"),
        ("alice", "claimed"),
        ("alice", "viewed_contact"),
        ("alice", "note_added"),
        ("alice", "resolved"),
    ]


def test_a_supervisor_sees_the_statistics_page_with_its_charts(site, browser_page):
    page = browser_page
    log_in(page, "sam")
    page.click("[data-testid=nav-stats]")
    page.wait_for_selector("[data-testid=stat-total]")
    assert page.locator("canvas").count() == 6
    assert int(page.inner_text("[data-testid=stat-total] .value")) >= 1
    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    path = download.value.path()
    content = open(path, encoding="utf-8-sig").read()
    assert site["fresh"] in content and PHONE not in content


def test_an_expired_session_goes_back_to_the_login_form(site, browser_page):
    page = browser_page
    log_in(page, "alice")
    page.evaluate(
        """() => {
            const session = JSON.parse(sessionStorage.getItem("g5desk.session"));
            sessionStorage.setItem("g5desk.session", JSON.stringify({ ...session, token: "expired" }));
        }"""
    )
    page.click(f"[data-testid=queue-row][data-ticket='{site['overdue']}'] [data-testid=open-complaint]")
    page.wait_for_selector("[data-testid=login-error] >> text=登录已过期")
    assert page.locator("[data-testid=nav-queue]").is_hidden()


def test_repeated_wrong_passwords_get_a_bilingual_wait_message(site, browser_page):
    page = browser_page
    # A username of its own: the throttle counts per username and address for the whole module's site.
    page.fill("[data-testid=login-username]", "mallory")
    for attempt in range(5):  # DESK_LOGIN_MAX_FAILURES
        page.fill("[data-testid=login-password]", f"guess number {attempt}")
        page.click("[data-testid=login-submit]")
        page.wait_for_selector("[data-testid=login-error] >> text=用户名或密码错误")
        page.evaluate("() => { document.querySelector('[data-testid=login-error]').textContent = ''; }")
    page.fill("[data-testid=login-password]", "guess number 6")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=login-error] >> text=登录失败次数过多")
    assert "Too many failed log-ins" in page.locator("[data-testid=login-error]").inner_text()


def test_a_supervisor_confirms_a_users_erasure_request_and_logging_out_ends_the_token(site, browser_page):

    page = browser_page
    ticket = services.open_complaint(
        DeskUnitOfWork(session_factory(site["db"])), draft(), datetime.now(timezone.utc), "erase-me"
    ).ticket
    assert request_erasure(DeskUnitOfWork(session_factory(site["db"])), ticket, PHONE[-4:], datetime.now(timezone.utc))
    log_in(page, "sam")
    page.click("[data-testid=nav-privacy]")
    row = f"[data-testid=erasure-request][data-ticket='{ticket}']"
    page.wait_for_selector(row)
    page.click(f"{row} [data-testid=confirm-erasure]")
    page.wait_for_selector(row, state="detached")
    complaint, audit = stored(site, ticket)
    assert complaint.contact_phone == "" and complaint.transcript == []
    assert audit[-1].action == ERASED and audit[-1].actor == "sam"

    token = page.evaluate("() => JSON.parse(sessionStorage.getItem('g5desk.session')).token")
    page.click("#logout")
    page.wait_for_selector("[data-testid=login-form]")
    me = httpx.get(site["url"] + "/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401, "the token no longer works after logging out"
