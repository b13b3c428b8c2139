"""The desk's composition root: everything the API, the worker and the CLI need, built once from settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine
from bot.desk.accounts import Passwords
from bot.desk.event_copy import EventCopy
from bot.desk.throttle import LoginThrottle
from bot.desk.tokens import Tokens
from bot.desk.tracker import TrackerStore
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.notifications.messages import Webhooks
from bot.notifications.outbox import RetryPolicy, Sender, WebhookSender
from bot.notifications.publisher import OutboxPublisher
from bot.settings import Settings


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    tokens: Tokens
    webhooks: Webhooks
    tracker: TrackerStore
    send: Sender
    retry: RetryPolicy
    clock: Callable[[], datetime] = utc_now
    passwords: Passwords = field(default_factory=Passwords)
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)

    def uow(self) -> DeskUnitOfWork:
        """A unit of work whose commits enqueue the notifications of the events they store."""
        return DeskUnitOfWork(self.sessions, OutboxPublisher(self.webhooks))

    @property
    def worker_enabled(self) -> bool:
        """On unless NOTIFY_WORKER_ENABLED says otherwise; off by default under ENVIRONMENT=test."""
        if self.settings.notify_worker_enabled is not None:
            return self.settings.notify_worker_enabled
        return self.settings.environment != "test"

    def close(self) -> None:
        self.tracker.dispose()
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    send: Sender | None = None,
    passwords: Passwords | None = None,
) -> Desk:
    """Wires the desk; no connection is opened until the first request."""
    engine = make_engine(settings.database_url)
    return Desk(
        settings=settings,
        engine=engine,
        sessions=sessionmaker(bind=engine, expire_on_commit=False),
        tokens=Tokens(settings.ensure_desk_secret_key(), settings.desk_token_minutes),
        webhooks=Webhooks.from_settings(settings),
        # Statistics read the desk's copy of the conversation events (fed by Rasa's event broker).
        tracker=EventCopy(engine),
        send=send or WebhookSender(settings.notify_timeout_seconds),
        retry=RetryPolicy(settings.notify_retry_base_seconds, settings.notify_max_attempts),
        clock=clock,
        passwords=passwords or Passwords(),
        login_throttle=LoginThrottle(settings.desk_login_max_failures, settings.desk_login_window_minutes),
    )
