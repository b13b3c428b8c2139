"""The desk's unit of work: the complaint one, plus the desk's users.

It is a SqlAlchemyUnitOfWork, so bot.complaints.services and views accept it unchanged;
built with an OutboxPublisher (bot.desk.bootstrap), its commits enqueue the notifications
of the events they store.
"""

from __future__ import annotations

from bot.complaints.unit_of_work import SqlAlchemyUnitOfWork
from bot.desk.store import SqlAlchemyUserRepository


class DeskUnitOfWork(SqlAlchemyUnitOfWork):
    def __enter__(self) -> DeskUnitOfWork:
        super().__enter__()
        self.users = SqlAlchemyUserRepository(self.session)
        return self
