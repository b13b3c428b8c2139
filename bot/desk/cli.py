"""Desk commands of the main CLI: `python -m bot.cli create-user --role supervisor --username NAME`.

The password comes from DESK_PASSWORD, else from a prompt (typed twice, not echoed).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from bot.desk.permissions import Role


def create_user(args: argparse.Namespace) -> int:
    """Create a desk user (the first supervisor, typically); the password is prompted or read from DESK_PASSWORD."""
    from bot.complaints.errors import StoreUnavailable
    from bot.db import session_factory
    from bot.desk.accounts import Passwords
    from bot.desk.accounts import create_user as create
    from bot.desk.bootstrap import utc_now
    from bot.desk.errors import DeskError
    from bot.desk.unit_of_work import DeskUnitOfWork
    from bot.settings import get_settings

    password = _password()
    if password is None:
        return 2
    url = args.database_url or get_settings().database_url
    try:
        user = create(
            DeskUnitOfWork(session_factory(url)),
            Passwords(),
            username=args.username,
            password=password,
            role=Role(args.role),
            now=utc_now(),
            by=None,
        )
    except (DeskError, StoreUnavailable) as error:
        print(f"create-user: {error}", file=sys.stderr)
        return 1
    print(f"desk user {user.username} ({user.role.value}) created")
    return 0


def erase_expired(args: argparse.Namespace) -> int:
    """Erase the personal data of complaints closed longer ago than COMPLAINT_RETENTION_DAYS (run it daily)."""
    from bot.complaints.errors import StoreUnavailable
    from bot.db import session_factory
    from bot.desk.bootstrap import utc_now
    from bot.desk.privacy import erase_expired as erase
    from bot.desk.unit_of_work import DeskUnitOfWork
    from bot.settings import get_settings

    settings = get_settings()
    sessions = session_factory(args.database_url or settings.database_url)
    days = args.retention_days or settings.complaint_retention_days
    try:
        erased = erase(lambda: DeskUnitOfWork(sessions), utc_now(), days)
    except StoreUnavailable as error:
        print(f"erase-expired: {error}", file=sys.stderr)
        return 1
    print(f"erase-expired: {len(erased)} complaint(s) closed over {days} days ago erased")
    return 0


def _password() -> str | None:
    from_env = os.environ.get("DESK_PASSWORD")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        print("create-user: set DESK_PASSWORD or run in a terminal to be asked", file=sys.stderr)
        return None
    first = getpass.getpass("Password (10+ characters): ")
    if getpass.getpass("Password again: ") != first:
        print("create-user: the passwords differ", file=sys.stderr)
        return None
    return first


def register(commands: Any) -> None:
    """Add the desk's commands to an argparse subparsers object."""
    command = commands.add_parser("create-user", help=create_user.__doc__, description=create_user.__doc__)
    command.add_argument("--username", required=True)
    command.add_argument("--role", choices=[role.value for role in Role], default=Role.AGENT.value)
    command.add_argument("--database-url", help="default: DATABASE_URL from the settings")
    command.set_defaults(run=create_user)
    command = commands.add_parser("erase-expired", help=erase_expired.__doc__, description=erase_expired.__doc__)
    command.add_argument("--retention-days", type=int, help="default: COMPLAINT_RETENTION_DAYS from the settings")
    command.add_argument("--database-url", help="default: DATABASE_URL from the settings")
    command.set_defaults(run=erase_expired)
