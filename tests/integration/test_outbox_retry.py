"""Webhook notifications go through the outbox: retried with backoff until delivered once, across a restart."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.complaints import services
from bot.db import make_engine
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.notifications.messages import Webhooks
from bot.notifications.orm import OutboxRow
from bot.notifications.outbox import RetryPolicy, WebhookSender, deliver_due
from bot.notifications.publisher import OutboxPublisher
from tests.factories import NOW, a_draft
from tests.integration.desk_fixtures import desk_engine, desk_sessions

__all__ = ["desk_engine", "desk_sessions"]  # fixtures, imported for pytest


class Receiver:
    """A local incoming-webhook endpoint answering with the scripted statuses, then 200 {"errcode": 0}."""

    def __init__(self, statuses=(), delay=0.0, answer=None):
        self.statuses = list(statuses)
        self.delay = delay
        self.answer = answer or {"errcode": 0, "errmsg": "ok"}
        self.received, self.accepted = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append(body)
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.accepted.append(body)
                payload = json.dumps(receiver.answer if status == 200 else {"error": "boom"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=secret-key"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def notifying_uow(sessions, *urls):
    return DeskUnitOfWork(sessions, OutboxPublisher(Webhooks(urls)))


def outbox(sessions):
    with sessions() as session:
        return session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()


def test_a_failing_webhook_is_retried_with_backoff_and_gets_the_message_exactly_once_even_across_a_restart(
    database_url, desk_sessions
):
    with Receiver(statuses=[500, 500]) as receiver:
        ticket = services.open_complaint(notifying_uow(desk_sessions, receiver.url), a_draft(), NOW, "k").ticket
        [row] = outbox(desk_sessions)
        assert (row.kind, row.ticket, row.status, row.next_attempt_at) == ("created", ticket, "pending", NOW)

        report = deliver_due(desk_sessions, NOW)
        [row] = outbox(desk_sessions)
        assert report.retrying == [row.id]
        assert (row.attempts, row.next_attempt_at, row.last_error) == (1, NOW + timedelta(seconds=30), "HTTP 500")
        assert deliver_due(desk_sessions, NOW + timedelta(seconds=29)).retrying == []
        assert len(receiver.received) == 1

        # the process restarts: new engine and sessions on the same database
        restarted_engine = make_engine(database_url)
        restarted = sessionmaker(bind=restarted_engine, expire_on_commit=False)
        deliver_due(restarted, NOW + timedelta(seconds=30))
        [row] = outbox(restarted)
        assert (row.attempts, row.next_attempt_at) == (2, NOW + timedelta(seconds=90))  # 30 s + 60 s
        assert deliver_due(restarted, NOW + timedelta(seconds=89)).sent == []

        assert deliver_due(restarted, NOW + timedelta(seconds=90)).sent == [row.id]
        assert deliver_due(restarted, NOW + timedelta(days=1)).sent == []
        restarted_engine.dispose()

    [row] = outbox(desk_sessions)
    assert (row.status, row.attempts, row.delivered_at) == ("sent", 2, NOW + timedelta(seconds=90))
    assert len(receiver.received) == 3 and len(receiver.accepted) == 1
    content = receiver.accepted[0]["text"]["content"]
    assert receiver.accepted[0]["msgtype"] == "text"
    assert ticket in content and "138****5678" in content and "13812345678" not in json.dumps(receiver.received)


def test_a_webhook_that_keeps_failing_is_given_up_after_the_maximum_attempts(desk_sessions):
    policy = RetryPolicy(base_seconds=30, max_attempts=3)
    with Receiver(statuses=[500] * 10) as receiver:
        services.open_complaint(notifying_uow(desk_sessions, receiver.url), a_draft(), NOW, "k")
        moments = [NOW, NOW + timedelta(seconds=30), NOW + timedelta(seconds=90), NOW + timedelta(days=1)]
        reports = [deliver_due(desk_sessions, moment, policy=policy) for moment in moments]
    [row] = outbox(desk_sessions)
    assert [(len(r.retrying), len(r.dead)) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert (row.status, row.attempts) == ("dead", 3)
    assert len(receiver.received) == 3


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ({"answer": {"errcode": 93000, "errmsg": "invalid webhook url"}}, "errcode 93000: invalid webhook url"),
        ({"delay": 1.5}, "timed out"),
    ],
    ids=["refused-with-http-200", "too-slow"],
)
def test_a_refusal_inside_a_200_answer_and_a_timeout_count_as_failures(desk_sessions, behaviour, error):
    with Receiver(**behaviour) as receiver:
        services.open_complaint(notifying_uow(desk_sessions, receiver.url), a_draft(), NOW, "k")
        report = deliver_due(desk_sessions, NOW, send=WebhookSender(timeout_seconds=0.5))
    [row] = outbox(desk_sessions)
    assert report.sent == [] and (row.status, row.attempts, row.last_error) == ("pending", 1, error)
    assert "secret-key" not in row.last_error


def test_an_unreachable_webhook_counts_as_a_failure(desk_sessions):
    services.open_complaint(notifying_uow(desk_sessions, "http://127.0.0.1:1/hook"), a_draft(), NOW, "k")
    assert len(deliver_due(desk_sessions, NOW).retrying) == 1
    [row] = outbox(desk_sessions)
    assert row.last_error == "request failed (ConnectionError)"
