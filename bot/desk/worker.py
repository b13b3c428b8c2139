"""The desk's background worker: records newly overdue complaints and delivers due notifications.

One daemon thread started and stopped by the web app's lifespan; every pass is a few
short transactions, and an error is logged and retried on the next pass.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

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


class NotificationWorker:
    def __init__(self, desk: Desk, interval_seconds: float) -> None:
        self.desk = desk
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="desk-notifications", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_once(self.desk, self.desk.clock())
            except Exception:  # noqa: BLE001 - a failed pass must not end the worker; the next one retries
                log.exception("desk notification pass failed")
            self._stop.wait(self.interval)
