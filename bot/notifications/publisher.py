"""The notifications that follow from complaint events, written to the outbox in the events' transaction.

A unit of work built with an OutboxPublisher (bot.complaints.unit_of_work) hands it the
audit events it stored when it commits: `created` and `became_overdue` events become one
outbox row per webhook URL, committed with the event or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.complaints.model import NewEvent
from bot.complaints.unit_of_work import SqlAlchemyUnitOfWork
from bot.db import session_factory
from bot.notifications.messages import KINDS, Webhooks, message
from bot.notifications.orm import OutboxRow
from bot.notifications.outbox import new_rows
from bot.settings import Settings


class OutboxPublisher:
    """Outbox rows for the events that are announced (none when no webhook is configured)."""

    def __init__(self, webhooks: Webhooks) -> None:
        self.webhooks = webhooks

    def __call__(self, events: Sequence[NewEvent]) -> list[OutboxRow]:
        rows: list[OutboxRow] = []
        for new in events:
            kind = KINDS.get(new.event.action)
            if kind is None or not self.webhooks.urls:
                continue
            text = message(kind, new.complaint, self.webhooks.desk_url)
            rows += new_rows(kind, new.complaint.ticket, self.webhooks.bodies(text), new.event.at)
        return rows


def notifying_uow_factory(settings: Settings) -> Callable[[], SqlAlchemyUnitOfWork]:
    """Units of work on DATABASE_URL whose commits enqueue the notifications of the events they store.

    For whoever files complaints outside the desk (the action server, the spool's drain command)."""
    publish = OutboxPublisher(Webhooks.from_settings(settings))

    def make() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory(settings.database_url), publish)

    return make
