"""Desk users' passwords (argon2id hashes) and the services that manage the users (bot.desk.users)."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.complaints.text import clean_line
from bot.desk.errors import (
    InvalidCredentials,
    InvalidUsername,
    LastSupervisor,
    PermissionDenied,
    UnknownUser,
    WeakPassword,
)
from bot.desk.permissions import Actor, Role, require_supervisor
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.desk.users import User

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")


def check_username(username: str) -> str:
    name = unicodedata.normalize("NFKC", username).strip()
    if not _USERNAME.match(name):
        raise InvalidUsername()
    return name


# Passwords people pick first and every breach list opens with (NIST SP 800-63B 5.1.1.2: refuse them).
COMMON_PASSWORDS = frozenset(
    """password passw0rd password1 password123 qwertyuiop qwertyuiop123 qwerty123456 1q2w3e4r5t 1qaz2wsx3edc
    iloveyou123 admin12345 administrator welcome123 letmein123 changeme123 abc1234567 a1234567890
    woaini1314 woaini520 5201314520 huawei12345 zhongguo123 china12345 supervisor agent12345""".split()
)
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


def check_password(password: str, username: str = "") -> None:
    """Length first (NIST SP 800-63B: long passphrases beat composition rules), then what a guesser tries
    first: blanks, one repeated character or pattern, runs along the alphabet, digits or keyboard, the
    commonest passwords, and the username itself. Control characters are refused (a password is typed)."""
    stripped = password.strip()
    if any(not c.isprintable() for c in password):
        raise WeakPassword("the password holds control characters")
    if len(stripped) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_PASSWORD_LENGTH} characters, not counting spaces")
    folded = "".join(stripped.casefold().split())
    if _guessable(folded) or folded in COMMON_PASSWORDS:
        raise WeakPassword("the password is too easy to guess (a common password, a sequence or a repetition)")
    name = username.strip().casefold()
    if name and (name in folded or folded in name):
        raise WeakPassword("the password must not contain the username")


def _guessable(folded: str) -> bool:
    """One character or a short pattern repeated, or a run along a keyboard row, the digits or the alphabet."""
    if len(set(folded)) <= 3:
        return True
    if any(folded == (folded[:n] * (len(folded) // n + 1))[: len(folded)] for n in range(1, 5)):
        return True
    for row in _KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            letters = folded.rstrip("0123456789")
            if folded in line * 3 or (len(letters) >= 4 and letters in line):
                return True
    return False


class Passwords:
    """argon2id hashing with argon2-cffi's recommended parameters (RFC 9106, low-memory profile)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeEncodeError):
            return False  # UnicodeEncodeError: a lone surrogate, which no stored password holds

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)

    def spend_time(self, password: str) -> None:
        """As long as a real check, so an unknown username answers as slowly as a wrong password."""
        self.verify(self._dummy_hash, password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash("not-a-real-password")


def authenticate(uow: DeskUnitOfWork, passwords: Passwords, username: str, password: str, now: datetime) -> User:
    """The active user with that password; InvalidCredentials alike for every failure, revealing nothing."""
    name = unicodedata.normalize("NFKC", clean_line(username)).strip()
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


def log_out(uow: DeskUnitOfWork, username: str, now: datetime) -> None:
    """Ends every token the user holds (server-side logout): the token version moves on."""
    with uow:
        user = uow.users.get(username)
        if user is None:
            raise UnknownUser(username)
        uow.users.save(replace(user, token_version=user.token_version + 1, updated_at=now))
        uow.commit()
    log.info("desk user %s logged out", username)


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
    check_password(password, name)
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
        check_password(password, username)
    if by.username.casefold() == username.casefold() and (active is False or role is Role.AGENT):
        raise PermissionDenied("demote or deactivate yourself (ask another supervisor)")
    with uow:
        # Locked first, so two supervisors removing each other at once are serialised: the second sees the first.
        supervisors = uow.users.lock_active_supervisors() if active is False or role is Role.AGENT else None
        user = uow.users.get(username)
        if user is None:
            raise UnknownUser(username)
        if supervisors is not None and user.username in supervisors and len(supervisors) == 1:
            raise LastSupervisor(user.username)
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
