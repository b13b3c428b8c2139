"""Unit of work: one transaction around a service call, rolled back unless commit() was called.

Each `with uow:` block opens a fresh session, so one unit of work object can be
used for several transactions in a row (services retry that way). On commit, the
audit events stored in the transaction are collected and handed to the publisher
the unit of work was built with (the notification outbox, bot.notifications); the
rows it returns are written in the same transaction, so both commit or neither does.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from bot.complaints.model import NewEvent
from bot.complaints.store import AbstractComplaintRepository, SqlAlchemyComplaintRepository, store_errors
from bot.complaints.ticket import SqlTicketAllocator
from bot.db import Base, session_factory


class TicketAllocator(Protocol):
    def next_ticket(self, now: datetime) -> str: ...


class Publisher(Protocol):
    def __call__(self, events: Sequence[NewEvent]) -> Sequence[Base]:
        """The rows that follow from the events (e.g. outbox notifications), to write in their transaction."""


def publish_nothing(events: Sequence[NewEvent]) -> Sequence[Base]:
    return ()


class AbstractUnitOfWork(abc.ABC):
    complaints: AbstractComplaintRepository
    tickets: TicketAllocator

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def collect_new_events(self) -> list[NewEvent]:
        """The events stored since the last collection, once each."""
        events, self.complaints.new_events = self.complaints.new_events, []
        return events

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    complaints: SqlAlchemyComplaintRepository

    def __init__(self, session_factory: Callable[[], Session], publish: Publisher = publish_nothing) -> None:
        self.session_factory = session_factory
        self.publish = publish

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self.session = self.session_factory()
        self.complaints = SqlAlchemyComplaintRepository(self.session)
        self.tickets = SqlTicketAllocator(self.session)
        super().__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            super().__exit__(*exc_info)
        finally:
            self.session.close()

    def commit(self) -> None:
        with store_errors():
            self.session.add_all(self.publish(self.collect_new_events()))
            self.session.commit()

    def rollback(self) -> None:
        with store_errors():
            self.session.rollback()


def sqlalchemy_uow_factory(
    database_url: str, publish: Publisher = publish_nothing
) -> Callable[[], SqlAlchemyUnitOfWork]:
    """A factory of units of work on DATABASE_URL; the engine is made on first use, not at import."""

    def make() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory(database_url), publish)

    return make
