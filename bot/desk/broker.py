"""The desk's consumers of Rasa's event broker: events into the desk's tables (bot/handoff/events.py).

RabbitMQ (RABBITMQ_URL; Rasa's `pika` broker, durable queue EVENT_QUEUE): a message is acknowledged
only after its event is committed, so a broker or desk outage loses nothing Rasa handed over (an
unacknowledged message is delivered again, and the copy ignores a redelivery). Otherwise Rasa's
SQL event broker (EVENT_BROKER_DATABASE_URL, table `events`): read in id order from a cursor that
commits with the events it covers. Outages are logged once when they start and end, and shown
in the console (BrokerHealth).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from bot.db import normalise_url
from bot.desk.live_desk import LiveDesk
from bot.desk.worker import PeriodicWorker
from bot.handoff.events import Ingested, ingest
from bot.handoff.orm import BrokerCursorRow

log = logging.getLogger(__name__)
BATCH = 200
RETRY_SECONDS = (0.5, 1, 2, 5)


def apply(live: LiveDesk, events: list[dict[str, Any]], cursor: tuple[str, int] | None = None) -> list[Ingested]:
    """Ingests the events (and moves the cursor) in one transaction, then pushes and tells Rasa."""
    with live.desk.sessions() as session, session.begin():
        results = [ingest(session, event) for event in events]
        if cursor is not None:
            row = session.get(BrokerCursorRow, cursor[0]) or BrokerCursorRow(name=cursor[0], position=0)
            row.position = cursor[1]
            session.add(row)
    now = live.now()
    for result in results:
        live.health.consumed_one(now)
        if result.ended_by_user is not None:
            live.user_ended(result.ended_by_user)
    if any(r.copied for r in results):
        live.hub.notify()  # the streams look whether it concerns an open chat
    return results


class Consumer:
    """A daemon thread that consumes until stopped, reconnecting with backoff."""

    kind = "none"

    def __init__(self, live: LiveDesk) -> None:
        self.live = live
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"desk-broker-{self.kind}", daemon=True)
        live.health.kind = self.kind

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake()
        self._thread.join(timeout)

    def _wake(self) -> None:
        return None

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.consume(self._stop)
                failures = 0
            except Exception as error:  # noqa: BLE001 - any failure: log, show, retry
                if self.live.broker_down(f"{type(error).__name__}: {error}"[:300]):
                    log.warning("event broker (%s) unreachable: %s; retrying", self.kind, type(error).__name__)
                self._stop.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1

    def consume(self, stop: threading.Event) -> None:
        raise NotImplementedError


class SqlBrokerConsumer(Consumer):
    """Reads Rasa's SQL event broker table (id, sender_id, data) past the committed cursor."""

    kind = "sql"
    CURSOR = "rasa_sql_broker"

    def __init__(self, live: LiveDesk, url: str, interval: float = 0.2) -> None:
        self.url = url
        self.interval = interval
        self._engine: Engine | None = None
        super().__init__(live)

    def consume(self, stop: threading.Event) -> None:
        engine = self._connect()
        while not stop.is_set():
            batch = self._read(engine, self._position())
            if batch:
                events = [{**_decode(row.data), "sender_id": row.sender_id} for row in batch]
                apply(self.live, events, (self.CURSOR, batch[-1].id))
            if len(batch) < BATCH:
                stop.wait(self.interval)

    def _position(self) -> int:
        with self.live.desk.sessions() as session:
            return int(session.scalar(select(BrokerCursorRow.position).where(BrokerCursorRow.name == self.CURSOR)) or 0)

    def _read(self, engine: Engine, after: int) -> list[Any]:
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return []  # Rasa creates it when it starts
            if self.live.broker_up():
                log.info("event broker (sql) readable at %s", make_url(normalise_url(self.url)).render_as_string())
            query = text("SELECT id, sender_id, data FROM events WHERE id > :after ORDER BY id LIMIT :n")
            return list(connection.execute(query, {"after": after, "n": BATCH}))

    def _connect(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(normalise_url(self.url), pool_pre_ping=True)
        return self._engine

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        if self._engine is not None:
            self._engine.dispose()


class PikaConsumer(Consumer):
    """Consumes the durable queue Rasa's pika broker publishes to; acknowledges after committing."""

    kind = "rabbitmq"

    def __init__(self, live: LiveDesk, url: str, queue: str) -> None:
        self.url = url
        self.queue = queue
        super().__init__(live)

    def consume(self, stop: threading.Event) -> None:
        import pika

        parameters = pika.URLParameters(self.url)
        parameters.heartbeat, parameters.blocked_connection_timeout = 30, 30
        parameters.connection_attempts, parameters.socket_timeout = 1, 5
        connection = pika.BlockingConnection(parameters)
        try:
            channel = connection.channel()
            channel.queue_declare(self.queue, durable=True)
            channel.basic_qos(prefetch_count=BATCH)
            if self.live.broker_up():
                log.info("event broker (rabbitmq) connected; consuming queue %s", self.queue)
            while not stop.is_set():
                self._drain(channel)
                connection.process_data_events(time_limit=0.2)
        finally:
            if connection.is_open:
                connection.close()

    def _drain(self, channel: Any) -> None:
        """Takes what the queue holds (up to a batch), commits it, then acknowledges it."""
        deliveries = []
        for method, _properties, body in channel.consume(self.queue, inactivity_timeout=0.05):
            if method is None:
                break
            deliveries.append((method.delivery_tag, body))
            if len(deliveries) >= BATCH:
                break
        if not deliveries:
            return
        events = [event for _tag, body in deliveries if (event := _decode(body))]
        apply(self.live, events)
        channel.basic_ack(deliveries[-1][0], multiple=True)


def _decode(body: str | bytes | None) -> dict[str, Any]:
    try:
        value = json.loads(body or "{}")
    except ValueError:
        log.warning("event broker message that is not JSON skipped")
        return {}
    return value if isinstance(value, dict) else {}


def make_consumer(live: LiveDesk) -> Consumer:
    settings = live.desk.settings
    if settings.rabbitmq_url:
        return PikaConsumer(live, settings.rabbitmq_url, settings.event_queue)
    return SqlBrokerConsumer(live, settings.event_broker_database_url)


class TimeoutWorker(PeriodicWorker):
    """Every few seconds: chats nobody accepted in time end, and the bot tells their users."""

    name = "desk-handoff-timeout"

    def __init__(self, live: LiveDesk, interval: float = 2.0) -> None:
        self.live = live
        super().__init__(interval)

    def step(self) -> None:
        self.live.expire_waiting()
