"""New and overdue complaints are announced through the outbox: once each, without phone numbers."""

import json
import time
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.complaints import services
from bot.complaints.services import record_overdue
from bot.complaints.unit_of_work import SqlAlchemyUnitOfWork
from bot.desk.bootstrap import bootstrap
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.desk.worker import run_once
from bot.notifications.messages import Webhooks, body_for
from bot.notifications.orm import OutboxRow
from bot.notifications.publisher import OutboxPublisher
from bot.web.app import create_app
from tests.factories import NOW, a_draft
from tests.integration.desk_fixtures import desk_engine, desk_sessions, desk_settings, serving, tracker_url

__all__ = ["desk_engine", "desk_sessions", "tracker_url"]  # fixtures, imported for pytest

HOOKS = ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1", "https://hooks.slack.com/services/T/B/x")


def plain_uow(sessions):
    """A unit of work without the outbox publisher: its events announce nothing."""
    return SqlAlchemyUnitOfWork(sessions)


def rows(sessions):
    with sessions() as session:
        return session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()


class Collector:
    """Stands in for the webhook sender: keeps what would have been posted."""

    def __init__(self):
        self.sent = []

    def __call__(self, url, body):
        self.sent.append((url, body))


def test_each_url_gets_the_body_style_it_understands():
    text = "【新投诉】C20261129-0001"
    assert body_for(HOOKS[0], text) == {"msgtype": "text", "text": {"content": text}}
    assert body_for("https://oapi.dingtalk.com/robot/send?access_token=t", text)["msgtype"] == "text"
    assert body_for(HOOKS[1], text) == {"text": text}
    assert body_for("https://chat.example.cn/hook", text, "slack") == {"text": text}


def test_a_complaint_past_its_deadline_is_recorded_as_overdue_and_announced_once(desk_sessions):
    publisher = OutboxPublisher(Webhooks(HOOKS))
    uow = lambda: DeskUnitOfWork(desk_sessions, publisher)  # noqa: E731
    late = services.open_complaint(plain_uow(desk_sessions), a_draft(), NOW - timedelta(days=16), "late").ticket
    answered = services.open_complaint(plain_uow(desk_sessions), a_draft(), NOW - timedelta(days=16), "ok").ticket
    services.add_note(plain_uow(desk_sessions), answered, "alice", "已处理", True, NOW - timedelta(days=2))
    services.open_complaint(plain_uow(desk_sessions), a_draft(), NOW, "fresh")

    assert record_overdue(uow, NOW) == [late]
    assert record_overdue(uow, NOW + timedelta(hours=1)) == []
    trail = services.audit_trail(plain_uow(desk_sessions), late)
    assert [(e.actor, e.action, e.at) for e in trail][-1] == ("system", "became_overdue", NOW)
    outbox = rows(desk_sessions)
    assert [(r.kind, r.ticket, r.url) for r in outbox] == [("overdue", late, HOOKS[0]), ("overdue", late, HOOKS[1])]
    assert "超期" in outbox[0].body["text"]["content"] and "超期" in outbox[1].body["text"]


def test_notifications_never_carry_a_full_phone_number(desk_sessions):
    uow = DeskUnitOfWork(desk_sessions, OutboxPublisher(Webhooks(HOOKS, desk_url="https://desk.example.cn")))
    draft = a_draft(description="信号差，请打 138-1234-5678 或 +86 139 8765 4321 联系我")
    ticket = services.open_complaint(uow, draft, NOW, "k").ticket
    content = rows(desk_sessions)[0].body["text"]["content"]
    assert "138****5678" in content and "139****4321" in content
    assert f"https://desk.example.cn/desk/#/complaints/{ticket}" in content
    everything = json.dumps([r.body for r in rows(desk_sessions)], ensure_ascii=False)
    assert not any(number in everything for number in ("13812345678", "138-1234-5678", "139 8765 4321"))


def test_a_worker_pass_records_overdue_complaints_and_delivers_what_is_due(database_url, tracker_url, desk_sessions):
    collector = Collector()
    settings = desk_settings(database_url, tracker_url, notify_webhook_urls=list(HOOKS))
    desk = bootstrap(settings, clock=lambda: NOW, send=collector)
    late = services.open_complaint(desk.uow(), a_draft(), NOW - timedelta(days=20), "late").ticket
    report = run_once(desk, NOW)
    assert report.overdue == [late]
    assert len(report.delivery.sent) == 4  # created and overdue, to both URLs
    assert sorted((url, "超期" in json.dumps(body, ensure_ascii=False)) for url, body in collector.sent) == sorted(
        [(HOOKS[0], False), (HOOKS[0], True), (HOOKS[1], False), (HOOKS[1], True)]
    )
    assert run_once(desk, NOW + timedelta(hours=1)).delivery.sent == []
    desk.close()


def test_the_web_app_runs_the_worker_in_the_background_when_enabled(database_url, tracker_url, desk_engine):
    collector = Collector()
    settings = desk_settings(
        database_url,
        tracker_url,
        notify_webhook_urls=[HOOKS[0]],
        notify_worker_enabled=True,
        notify_worker_interval_seconds=0.1,
    )
    app = create_app(settings, send=collector)
    with serving(app) as url:
        ticket = services.open_complaint(app.state.desk.uow(), a_draft(), NOW, "k").ticket
        deadline = time.monotonic() + 10
        while not collector.sent and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert len(collector.sent) == 1 and ticket in collector.sent[0][1]["text"]["content"]
