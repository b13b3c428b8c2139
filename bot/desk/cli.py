"""Desk commands of the main CLI: `python -m bot.cli create-user --role supervisor --username NAME`.

The password comes from DESK_PASSWORD, else from a prompt (typed twice, not echoed).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import timedelta
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
    """Erase the personal data of complaints closed over COMPLAINT_RETENTION_DAYS ago, and conversations older
    than CONVERSATION_RETENTION_DAYS from the tracker store (run it daily)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.complaints.errors import StoreUnavailable
    from bot.db import session_factory
    from bot.desk.bootstrap import utc_now
    from bot.desk.event_copy import ConversationsAndCopy
    from bot.desk.privacy import erase_expired as erase
    from bot.desk.unit_of_work import DeskUnitOfWork
    from bot.settings import get_settings

    settings = get_settings()
    sessions = session_factory(args.database_url or settings.database_url)
    days = args.retention_days or settings.complaint_retention_days
    now = utc_now()
    try:
        erased = erase(lambda: DeskUnitOfWork(sessions), now, days)
    except StoreUnavailable as error:
        print(f"erase-expired: {error}", file=sys.stderr)
        return 1
    print(f"erase-expired: {len(erased)} complaint(s) closed over {days} days ago erased")
    chat_days = args.conversation_retention_days or settings.conversation_retention_days
    try:
        conversations = ConversationsAndCopy(args.tracker_url or settings.tracker_url, sessions)
        pruned = conversations.prune(now - timedelta(days=chat_days))
    except SQLAlchemyError as error:
        print(f"erase-expired: tracker store unavailable ({type(error).__name__})", file=sys.stderr)
        return 1
    print(f"erase-expired: {pruned} conversation event(s) older than {chat_days} days deleted")
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


def desk_worker(args: argparse.Namespace) -> int:
    """Run the desk's background worker (overdue sweep, notification delivery, the event broker's consumer, the
    live chats' accept timeout) in the foreground until SIGTERM.

    For deployments that run it apart from the web app (set NOTIFY_WORKER_ENABLED=false there).
    Each finished pass touches --heartbeat, so a liveness check can see the loop is turning.
    """
    import logging
    import signal
    import threading
    from pathlib import Path

    from bot.desk.bootstrap import bootstrap
    from bot.desk.broker import Consumer, TimeoutWorker, make_consumer
    from bot.desk.live_desk import LiveDesk
    from bot.desk.worker import run_once
    from bot.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("bot.desk.worker")
    desk = bootstrap(get_settings())
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    heartbeat = Path(args.heartbeat) if args.heartbeat else None
    interval = desk.settings.notify_worker_interval_seconds
    log.info("desk worker started (a pass every %.0f s)", interval)
    live = LiveDesk.of(desk)
    loops: list[Consumer | TimeoutWorker] = [make_consumer(live), TimeoutWorker(live)]
    for loop in loops:
        loop.start()
    try:
        while not stop.is_set():
            try:
                report = run_once(desk, desk.clock())
                if report.overdue:
                    log.info("newly overdue: %d", len(report.overdue))
                if heartbeat:
                    heartbeat.touch()
            except Exception:  # noqa: BLE001 - a failed pass must not end the worker; the next one retries
                log.exception("desk worker pass failed")
            stop.wait(interval)
    finally:
        for loop in loops:
            loop.stop()
        desk.close()
    log.info("desk worker stopped")
    return 0


def register(commands: Any) -> None:
    """Add the desk's commands to an argparse subparsers object."""
    command = commands.add_parser("create-user", help=create_user.__doc__, description=create_user.__doc__)
    command.add_argument("--username", required=True)
    command.add_argument("--role", choices=[role.value for role in Role], default=Role.AGENT.value)
    command.add_argument("--database-url", help="default: DATABASE_URL from the settings")
    command.set_defaults(run=create_user)
    worker = commands.add_parser("desk-worker", help=desk_worker.__doc__, description=desk_worker.__doc__)
    worker.add_argument("--heartbeat", help="file touched after every finished pass (for a liveness check)")
    worker.set_defaults(run=desk_worker)
    command = commands.add_parser("erase-expired", help=erase_expired.__doc__, description=erase_expired.__doc__)
    command.add_argument("--retention-days", type=int, help="default: COMPLAINT_RETENTION_DAYS from the settings")
    command.add_argument(
        "--conversation-retention-days", type=int, help="default: CONVERSATION_RETENTION_DAYS from the settings"
    )
    command.add_argument("--tracker-url", help="Rasa's tracker store; default: the settings' tracker URL")
    command.add_argument("--database-url", help="default: DATABASE_URL from the settings")
    command.set_defaults(run=erase_expired)
