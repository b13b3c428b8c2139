"""Composition root of the action server: dependencies built once, lazily, on first use.

Tests choose other dependencies at wiring time with `use(...)` (a temp database, a temp spool).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.complaints.scope import NEUTRAL, Deployment, deployment
from bot.complaints.spool import ComplaintSpool
from bot.complaints.unit_of_work import AbstractUnitOfWork
from bot.db import session_factory
from bot.notifications.publisher import notifying_uow_factory
from bot.settings import get_settings
from common.redact import install_log_redaction


@dataclass(frozen=True)
class Dependencies:
    uow_factory: Callable[[], AbstractUnitOfWork]
    spool: ComplaintSpool
    catalog_session: Callable[[], Session]
    default_operator: str = "all"
    retention_days: int = 730  # PIPL retention of closed complaints' personal data (bot.desk.privacy erases them)
    # The operator deploying the bot (or a neutral deployment): whose complaints are filed here.
    deployment: Deployment = field(default_factory=lambda: deployment(NEUTRAL))


_current: Dependencies | None = None


def from_settings() -> Dependencies:
    settings = get_settings()
    install_log_redaction()  # the action server's logs: numbers masked whatever logs them
    return Dependencies(
        # the "new complaint" notification commits in the same transaction as the complaint
        uow_factory=notifying_uow_factory(settings),
        spool=ComplaintSpool(settings.spool_dir),
        catalog_session=session_factory(settings.database_url),
        default_operator=settings.default_operator,
        retention_days=settings.complaint_retention_days,
        deployment=deployment(settings.deploying_operator, settings.data_handler_name, settings.data_handler_contact),
    )


def current() -> Dependencies:
    global _current
    if _current is None:
        _current = from_settings()
    return _current


def use(dependencies: Dependencies | None) -> None:
    global _current
    _current = dependencies
