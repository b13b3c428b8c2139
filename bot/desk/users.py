"""Desk users: who they are, and what the desk's services need from their storage.

Usernames go into the complaints' audit trail, so a user is deactivated, never deleted.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime

from bot.desk.permissions import Actor, Role


@dataclass(kw_only=True)
class User:
    username: str
    role: Role
    active: bool
    token_version: int
    created_at: datetime
    updated_at: datetime
    password_hash: str = field(repr=False)

    @property
    def actor(self) -> Actor:
        return Actor(username=self.username, role=self.role)


class AbstractUserRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, username: str) -> User | None: ...

    @abc.abstractmethod
    def add(self, user: User) -> None:
        """Stores a new user; UserExists when the username is taken."""

    @abc.abstractmethod
    def save(self, user: User) -> None: ...

    @abc.abstractmethod
    def lock_active_supervisors(self) -> list[str]:
        """The active supervisors' usernames, locked until the transaction ends (concurrent demotions wait)."""

    @abc.abstractmethod
    def list(self) -> list[User]: ...
