"""The desk's repository of its users, over a SQLAlchemy Session (complaints are read in bot.complaints.views)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.complaints.store import store_errors
from bot.desk.errors import UnknownUser, UserExists
from bot.desk.orm import UserRow
from bot.desk.permissions import Role
from bot.desk.users import AbstractUserRepository, User


class SqlAlchemyUserRepository(AbstractUserRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, username: str) -> User | None:
        """The user of that name in any case ("Alice" finds alice); none for a name no user can have."""
        if not username.isprintable():
            return None
        with store_errors():
            row = self.session.scalars(_named(username)).one_or_none()
        return _user(row) if row else None

    def add(self, user: User) -> None:
        with store_errors():
            self.session.add(UserRow(**_user_columns(user)))
            try:
                self.session.flush()
            except sa_exc.IntegrityError as error:
                raise UserExists(user.username) from error

    def save(self, user: User) -> None:
        with store_errors():
            row = self.session.scalars(_named(user.username)).one_or_none()
            if row is None:
                raise UnknownUser(user.username)
            for name, value in _user_columns(user).items():
                setattr(row, name, value)
            self.session.flush()

    def lock_active_supervisors(self) -> list[str]:
        """SELECT ... FOR UPDATE on PostgreSQL, in one order (no deadlock). SQLite has no row locks: a write
        that changes nothing takes its database write lock first, so a second such transaction waits or fails."""
        supervisors = (UserRow.role == Role.SUPERVISOR.value, UserRow.active.is_(True))
        statement = select(UserRow.username).where(*supervisors).order_by(UserRow.username).with_for_update()
        with store_errors():
            if self.session.get_bind().dialect.name == "sqlite":
                self.session.execute(update(UserRow).where(*supervisors).values(role=UserRow.role))
            return list(self.session.scalars(statement).all())

    def list(self) -> list[User]:
        with store_errors():
            rows = self.session.scalars(select(UserRow).order_by(UserRow.username)).all()
        return [_user(row) for row in rows]


def _named(username: str) -> Any:
    return select(UserRow).where(func.lower(UserRow.username) == username.lower())


def _user_columns(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "active": user.active,
        "token_version": user.token_version,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def _user(row: UserRow) -> User:
    return User(
        username=row.username,
        role=Role(row.role),
        active=row.active,
        token_version=row.token_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        password_hash=row.password_hash,
    )
