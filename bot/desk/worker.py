"""The desk's background worker: records newly overdue complaints and delivers due notifications.

One daemon thread started and stopped by the web app's lifespan; every pass is a few
short transactions, and an error is logged and retried on the next pass.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.complaints.services import record_overdue
from bot.desk.bootstrap import Desk
from bot.notifications.outbox import DeliveryReport, deliver_due

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    overdue: list[str] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def run_once(desk: Desk, now: datetime) -> PassReport:
    return PassReport(
        overdue=record_overdue(desk.uow, now),
        delivery=deliver_due(desk.sessions, now, send=desk.send, policy=desk.retry),
    )


class PeriodicWorker:
    """A daemon thread that runs `step` every `interval` seconds until stopped; a failed pass is logged
    and the next one retries. Subclasses give the thread's name and the step."""

    name = "desk-worker"

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def step(self) -> None:
        raise NotImplementedError

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except SQLAlchemyError as error:
                log.warning("%s pass failed (%s); the next pass retries", self.name, type(error).__name__)
            except Exception:  # noqa: BLE001 - a failed pass must not end the worker; the next one retries
                log.exception("%s pass failed", self.name)
            self._stop.wait(self.interval)


class NotificationWorker(PeriodicWorker):
    """Every `interval_seconds`: newly overdue complaints recorded, due notifications delivered."""

    name = "desk-notifications"

    def __init__(self, desk: Desk, interval_seconds: float) -> None:
        self.desk = desk
        super().__init__(interval_seconds)

    def step(self) -> None:
        run_once(self.desk, self.desk.clock())
