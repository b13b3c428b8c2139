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
from bot.handoff.services import Policy
from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork, sqlalchemy_uow_factory
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
    # The live hand-off's tables (bot/handoff), on the same database as the complaints.
    handoff_uow_factory: Callable[[], SqlAlchemyUnitOfWork] | None = None
    # Opening hours and accept timeout (HANDOFF_HOURS, HANDOFF_ACCEPT_TIMEOUT_SECONDS).
    handoff_policy: Policy | None = None


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
        handoff_uow_factory=sqlalchemy_uow_factory(settings.database_url),
        handoff_policy=Policy.from_settings(settings),
    )


def current() -> Dependencies:
    global _current
    if _current is None:
        _current = from_settings()
    return _current


def use(dependencies: Dependencies | None) -> None:
    global _current
    _current = dependencies
