"""RabbitMQ goes away in the middle of a live chat and comes back: no message the user sent is lost or
doubled on the desk, and the outage shows in the console's inbox. Rasa's pika broker and the desk's
consumer both reach RabbitMQ through a TCP proxy the test stops and starts (the system's RabbitMQ stays up).
Over HTTP: the user on the REST channel, the agent through the desk API."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from bot.db import session_factory
from bot.desk import accounts
from bot.desk.permissions import Role
from bot.desk.unit_of_work import DeskUnitOfWork
from tests.e2e.servers import Servers, running_servers
from tests.integration.test_event_broker_consumer import rabbitmq_reachable
from tests.tcp_proxy import RABBITMQ, TcpProxy

pytestmark = [pytest.mark.e2e]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def proxy() -> Iterator[TcpProxy]:
    if not rabbitmq_reachable():
        pytest.skip("RabbitMQ unreachable at 127.0.0.1:5672")
    running = TcpProxy(RABBITMQ)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, proxy: TcpProxy) -> Iterator[Servers]:
    queue = f"desk_e2e_{secrets.token_hex(4)}"
    broker = {
        "type": "pika",
        "url": "127.0.0.1",
        "port": proxy.port,
        "username": "guest",
        "password": "guest",
        "queues": [queue],
    }
    env = {
        "HANDOFF_SECRET": secrets.token_urlsafe(24),
        "HANDOFF_HOURS": "00:00-24:00",
        # The consumer of the event broker and the accept timeout run in the web front's background
        # loops, which are off by default under ENVIRONMENT=test (the test tiers set it).
        "NOTIFY_WORKER_ENABLED": "true",
        "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{proxy.port}/",
        "EVENT_QUEUE": queue,
        "DESK_SECRET_KEY": secrets.token_urlsafe(48),
    }
    workdir = tmp_path_factory.mktemp("outage")
    with running_servers(workdir, endpoints_extra={"event_broker": broker}, env_extra=env) as running:
        uow = lambda: DeskUnitOfWork(session_factory(f"sqlite:///{running.app_db}"))  # noqa: E731
        accounts.create_user(
            uow(), accounts.Passwords(), username="alice", password=PASSWORD, role=Role.AGENT,
            now=datetime.now(timezone.utc), by=None,
        )  # fmt: skip
        yield running


def desk(servers: Servers) -> httpx.Client:
    client = httpx.Client(base_url=servers.web_url, timeout=30)
    token = client.post("/api/auth/login", data={"username": "alice", "password": PASSWORD}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def wait_until(check: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def user_texts(agent: httpx.Client) -> list[str]:
    mine = agent.get("/api/live/inbox").json()["mine"]
    return [m["text"] for chat in mine for m in chat["messages"] if m["author"] == "user"]


def test_rabbitmq_stopped_and_restarted_mid_chat_loses_no_user_message(servers: Servers, proxy: TcpProxy):
    agent = desk(servers)
    assert agent.put("/api/live/presence", json={"status": "available"}).status_code == 200
    agent.get("/api/live/inbox")  # the console is open: the agent counts as available
    sender = f"outage-{secrets.token_hex(3)}"
    servers.send(sender, "我要转人工")
    waiting = wait_until(lambda: agent.get("/api/live/inbox").json()["queue"])
    assert agent.post(f"/api/live/chats/{waiting[0]['id']}/accept", json={"label": "A7"}).status_code == 200

    servers.send(sender, "第一条：还在吗")
    wait_until(lambda: user_texts(agent) == ["第一条：还在吗"])

    proxy.stop()
    shown = wait_until(lambda: (b := agent.get("/api/live/inbox").json()["broker"]) and not b["connected"] and b)
    assert shown["kind"] == "rabbitmq" and shown["since"]
    for n in range(2, 6):
        servers.send(sender, f"第{n}条：网络断了吗")
    time.sleep(2)
    proxy.start()

    expected = ["第一条：还在吗", *[f"第{n}条：网络断了吗" for n in range(2, 6)]]
    wait_until(lambda: user_texts(agent) == expected, seconds=90)
    assert wait_until(lambda: agent.get("/api/live/inbox").json()["broker"]["connected"])
    time.sleep(2)
    assert user_texts(agent) == expected  # nothing doubled by redelivery
    log = (servers.logs / "web.log").read_text()
    assert "event broker (rabbitmq) unreachable" in log
