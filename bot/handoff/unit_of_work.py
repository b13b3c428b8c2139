"""The hand-off's unit of work: one transaction, rolled back unless commit() was called."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.complaints.store import store_errors
from bot.db import session_factory
from bot.handoff.store import HandoffRepository


class SqlAlchemyUnitOfWork:
    """Each `with uow:` opens a fresh session on the app's database (the one complaints use)."""

    chats: HandoffRepository

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self.session = self.session_factory()
        self.chats = HandoffRepository(self.session)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        with store_errors():
            self.session.commit()

    def rollback(self) -> None:
        with store_errors():
            self.session.rollback()


def sqlalchemy_uow_factory(database_url: str) -> Callable[[], SqlAlchemyUnitOfWork]:
    """Units of work on DATABASE_URL; the engine is made on first use, not at import."""

    def make() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory(database_url))

    return make
