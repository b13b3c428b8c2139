"""The desk's unit of work: the complaint one, plus users and the outbox, and the notification hook.

It is a SqlAlchemyUnitOfWork, so bot.complaints.services accept it unchanged; with an
OutboxHook, every `created` or `became_overdue` audit event written through it gets its
notifications enqueued in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.complaints.unit_of_work import SqlAlchemyUnitOfWork
from bot.db import session_factory
from bot.desk.notifications import OutboxHook, Webhooks
from bot.desk.store import DeskComplaintRepository, OutboxRepository, SqlAlchemyUserRepository, StateRepository
from bot.settings import Settings


class DeskUnitOfWork(SqlAlchemyUnitOfWork):
    complaints: DeskComplaintRepository

    def __init__(self, session_factory: Callable[[], Session], hook: OutboxHook | None = None) -> None:
        super().__init__(session_factory)
        self.hook = hook

    def __enter__(self) -> DeskUnitOfWork:
        super().__enter__()
        self.complaints = DeskComplaintRepository(self.session)
        self.users = SqlAlchemyUserRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.state = StateRepository(self.session)
        if self.hook is not None:
            self.hook.attach(self.session)
        return self


def notifying_uow_factory(settings: Settings) -> Callable[[], DeskUnitOfWork]:
    """Units of work on DATABASE_URL that enqueue the webhook notifications of new complaints.

    For whoever files complaints (the action server's composition root): in place of
    bot.complaints.unit_of_work.sqlalchemy_uow_factory, so the notification commits with the complaint.
    """
    hook = OutboxHook(Webhooks.from_settings(settings))

    def make() -> DeskUnitOfWork:
        return DeskUnitOfWork(session_factory(settings.database_url), hook)

    return make
