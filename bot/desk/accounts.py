"""Desk users: who they are, their passwords (argon2id hashes), and the services that manage them.

Usernames go into the complaints' audit trail, so a user is deactivated, never deleted.
"""

from __future__ import annotations

import abc
import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.desk.errors import InvalidCredentials, InvalidUsername, PermissionDenied, UnknownUser, WeakPassword
from bot.desk.permissions import Actor, Role, require_supervisor

if TYPE_CHECKING:
    from bot.desk.unit_of_work import DeskUnitOfWork

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")


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


def check_username(username: str) -> str:
    name = unicodedata.normalize("NFKC", username).strip()
    if not _USERNAME.match(name):
        raise InvalidUsername()
    return name


def check_password(password: str) -> None:
    """Only the length is ruled (NIST SP 800-63B): long passphrases beat composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(MIN_PASSWORD_LENGTH)


class Passwords:
    """argon2id hashing with argon2-cffi's recommended parameters (RFC 9106, low-memory profile)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)

    def spend_time(self, password: str) -> None:
        """As long as a real check, so an unknown username answers as slowly as a wrong password."""
        self.verify(self._dummy_hash, password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash("not-a-real-password")


class AbstractUserRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, username: str) -> User | None: ...

    @abc.abstractmethod
    def add(self, user: User) -> None:
        """Stores a new user; UserExists when the username is taken."""

    @abc.abstractmethod
    def save(self, user: User) -> None: ...

    @abc.abstractmethod
    def list(self) -> list[User]: ...


def authenticate(uow: DeskUnitOfWork, passwords: Passwords, username: str, password: str, now: datetime) -> User:
    """The active user with that password; InvalidCredentials alike for every failure, revealing nothing."""
    name = unicodedata.normalize("NFKC", username).strip()
    with uow:
        user = uow.users.get(name)
        if user is None or not user.active:
            passwords.spend_time(password)
            raise InvalidCredentials()
        if not passwords.verify(user.password_hash, password):
            raise InvalidCredentials()
        if passwords.needs_rehash(user.password_hash):
            uow.users.save(replace(user, password_hash=passwords.hash(password), updated_at=now))
            uow.commit()
    return user


def user_for_token(uow: DeskUnitOfWork, username: str, token_version: int) -> User:
    """The user a token names, if still active and the token not revoked (password, role or status changed)."""
    with uow:
        user = uow.users.get(username)
    if user is None or not user.active or user.token_version != token_version:
        raise InvalidCredentials()
    return user


def create_user(
    uow: DeskUnitOfWork,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    role: Role,
    now: datetime,
    by: Actor | None,
) -> User:
    """A new desk user; `by` is the supervisor creating it (None: the command line, for the first supervisor)."""
    if by is not None:
        require_supervisor(by, "manage users")
    name = check_username(username)
    check_password(password)
    user = User(
        username=name,
        role=role,
        active=True,
        token_version=1,
        created_at=now,
        updated_at=now,
        password_hash=passwords.hash(password),
    )
    with uow:
        uow.users.add(user)
        uow.commit()
    log.info("desk user %s (%s) created by %s", name, role.value, by.username if by else "the command line")
    return user


def list_users(uow: DeskUnitOfWork, by: Actor) -> list[User]:
    require_supervisor(by, "manage users")
    with uow:
        return uow.users.list()


def update_user(
    uow: DeskUnitOfWork,
    passwords: Passwords,
    username: str,
    *,
    by: Actor,
    now: datetime,
    role: Role | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Changes a user's role, activity or password; each change revokes the user's current tokens."""
    require_supervisor(by, "manage users")
    if password is not None:
        check_password(password)
    if by.username == username and (active is False or role is Role.AGENT):
        raise PermissionDenied("demote or deactivate yourself (ask another supervisor)")
    with uow:
        user = uow.users.get(username)
        if user is None:
            raise UnknownUser(username)
        changed = replace(
            user,
            role=role if role is not None else user.role,
            active=active if active is not None else user.active,
            password_hash=passwords.hash(password) if password is not None else user.password_hash,
            token_version=user.token_version + 1,
            updated_at=now,
        )
        uow.users.save(changed)
        uow.commit()
    log.info(
        "desk user %s changed by %s (role=%s active=%s)", username, by.username, changed.role.value, changed.active
    )
    return changed
