"""Unit of work: one transaction around a service call, rolled back unless commit() was called.

Each `with uow:` block opens a fresh session, so one unit of work object can be
used for several transactions in a row (services retry that way).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from bot.complaints.store import AbstractComplaintRepository, SqlAlchemyComplaintRepository, store_errors
from bot.complaints.ticket import SqlTicketAllocator
from bot.db import session_factory


class TicketAllocator(Protocol):
    def next_ticket(self, now: datetime) -> str: ...


class AbstractUnitOfWork(abc.ABC):
    complaints: AbstractComplaintRepository
    tickets: TicketAllocator

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> AbstractUnitOfWork:
        self.session = self.session_factory()
        self.complaints = SqlAlchemyComplaintRepository(self.session)
        self.tickets = SqlTicketAllocator(self.session)
        return super().__enter__()

    def __exit__(self, *exc_info: object) -> None:
        try:
            super().__exit__(*exc_info)
        finally:
            self.session.close()

    def commit(self) -> None:
        with store_errors():
            self.session.commit()

    def rollback(self) -> None:
        with store_errors():
            self.session.rollback()


def sqlalchemy_uow_factory(database_url: str) -> Callable[[], SqlAlchemyUnitOfWork]:
    """A factory of units of work on DATABASE_URL; the engine is made on first use, not at import."""

    def make() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory(database_url))

    return make
