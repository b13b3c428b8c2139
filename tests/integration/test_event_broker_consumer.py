"""The desk's consumers of Rasa's event broker against the real servers: RabbitMQ (through a TCP proxy
the test stops and starts: the broker going away mid-chat) and Rasa's SQL event broker table.
No event is lost or copied twice; an outage is logged and shown (BrokerHealth)."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pika
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, select, text

from bot.db import make_engine
from bot.desk.broker import PikaConsumer, SqlBrokerConsumer
from bot.desk.live_desk import LiveDesk
from bot.handoff import events as handoff_events
from bot.handoff.orm import ConversationEventRow
from tests.integration.desk_fixtures import desk, desk_engine, tracker_url
from tests.tcp_proxy import RABBITMQ, TcpProxy

__all__ = ["desk", "desk_engine", "tracker_url"]  # fixtures, imported for pytest

AMQP = "amqp://guest:guest@127.0.0.1:{port}/%2F"


def rabbitmq_reachable() -> bool:
    try:
        pika.BlockingConnection(pika.URLParameters(AMQP.format(port=RABBITMQ[1]))).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means: not here
        return False


@pytest.fixture
def live(desk) -> LiveDesk:
    with desk.desk.engine.begin() as connection:
        connection.execute(text("DELETE FROM conversation_events"))
        connection.execute(text("DELETE FROM broker_cursors"))
    inbox: LiveDesk = desk.app.state.live
    return inbox


def event(n: int, sender: str = "web-broker") -> dict[str, Any]:
    return {"event": "user", "sender_id": sender, "timestamp": 1_800_000_000.0 + n, "text": f"消息 {n}"}


def copied(live: LiveDesk) -> list[str]:
    with live.desk.sessions() as session:
        rows = session.scalars(select(ConversationEventRow).order_by(ConversationEventRow.timestamp))
        return [row.data["text"] for row in rows]


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def rabbit_queue() -> Iterator[str]:
    if not rabbitmq_reachable():
        pytest.skip("RabbitMQ unreachable at 127.0.0.1:5672")
    name = f"desk_test_{secrets.token_hex(4)}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(AMQP.format(port=RABBITMQ[1])))
    connection.channel().queue_delete(name)
    connection.close()


def publish(queue: str, events: list[dict[str, Any]]) -> None:
    """As Rasa's pika broker does: persistent JSON messages on the durable queue."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP.format(port=RABBITMQ[1])))
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)
    for item in events:
        properties = pika.BasicProperties(delivery_mode=2)
        channel.basic_publish("", queue, json.dumps(item, ensure_ascii=False).encode(), properties)
    connection.close()


def test_rabbitmq_gone_mid_chat_and_back_loses_and_repeats_no_event_and_is_logged_and_shown(live, rabbit_queue, caplog):
    caplog.set_level(logging.INFO, logger="bot.desk.broker")
    proxy = TcpProxy(RABBITMQ)
    proxy.start()
    consumer = PikaConsumer(live, AMQP.format(port=proxy.port), rabbit_queue)
    consumer.start()
    try:
        publish(rabbit_queue, [event(n) for n in range(5)])
        wait_for(lambda: len(copied(live)) == 5)
        assert live.health.as_dict()["connected"] is True
        proxy.stop()
        publish(rabbit_queue, [event(n) for n in range(5, 10)])  # Rasa keeps publishing to the broker
        wait_for(lambda: not live.health.as_dict()["connected"])
        assert "event broker (rabbitmq) unreachable" in caplog.text
        elsewhere = LiveDesk.of(live.desk)  # a web replica whose consumer runs in the worker apart
        assert elsewhere.broker_status()["connected"] is False and elsewhere.broker_status()["since"]
        proxy.start()
        wait_for(lambda: len(copied(live)) == 10)
        publish(rabbit_queue, [event(3)])  # a redelivery of an event already copied
        time.sleep(1)
    finally:
        consumer.stop()
        proxy.stop()
    assert copied(live) == [f"消息 {n}" for n in range(10)]
    assert live.health.as_dict()["connected"] is True
    assert elsewhere.broker_status()["connected"] is True


def test_an_event_the_desk_could_not_store_is_not_acknowledged_and_arrives_later(
    live, rabbit_queue, monkeypatch, caplog
):
    real_ingest = handoff_events.ingest
    failures = iter([True])

    def flaky(session: Any, item: dict[str, Any]) -> Any:
        if next(failures, False):
            raise RuntimeError("desk database went away")
        return real_ingest(session, item)

    monkeypatch.setattr("bot.desk.broker.ingest", flaky)
    consumer = PikaConsumer(live, AMQP.format(port=RABBITMQ[1]), rabbit_queue)
    consumer.start()
    try:
        publish(rabbit_queue, [event(n) for n in range(3)])
        wait_for(lambda: len(copied(live)) == 3)
    finally:
        consumer.stop()
    assert copied(live) == ["消息 0", "消息 1", "消息 2"]
    assert "RuntimeError" in caplog.text


# Rasa's SQL event broker table (rasa/core/brokers/sql.py, SQLBrokerEvent).
BROKER_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


def test_rasas_sql_broker_table_is_read_once_from_a_cursor_that_survives_a_restart(live, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'events.db'}"
    engine = make_engine(url)
    BROKER_EVENTS.metadata.create_all(engine)

    def write(numbers: range) -> None:
        with engine.begin() as connection:
            for n in numbers:
                item = event(n)
                connection.execute(BROKER_EVENTS.insert().values(sender_id=item["sender_id"], data=json.dumps(item)))

    write(range(4))
    first = SqlBrokerConsumer(live, url, interval=0.05)
    first.start()
    wait_for(lambda: len(copied(live)) == 4)
    first.stop()
    write(range(4, 7))
    second = SqlBrokerConsumer(live, url, interval=0.05)
    second.start()
    try:
        wait_for(lambda: len(copied(live)) == 7)
        time.sleep(0.3)
    finally:
        second.stop()
        engine.dispose()
    assert copied(live) == [f"消息 {n}" for n in range(7)]
    with live.desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConversationEventRow)) == 7
