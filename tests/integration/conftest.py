"""Real databases for integration tests: a temporary SQLite file and a throwaway PostgreSQL database.

Both are migrated with Alembic (the same migrations production runs). PostgreSQL
tests skip, with the reason shown at the end of the run, when the server at
TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test) is unreachable.
"""

from __future__ import annotations

import os
import secrets
from argparse import Namespace
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.complaints.unit_of_work import SqlAlchemyUnitOfWork
from bot.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Nothing listens on port 1; a directory that does not exist cannot hold a database file.
UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/for-tests/app.db",
    "postgresql": "postgresql://postgres@127.0.0.1:1/test",
}
COMPLAINT_TABLES = ("complaint_events", "complaint_notes", "complaints", "ticket_counters")
_skipped: dict[str, str] = {}


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.cmd_opts = Namespace(x=[f"url={url}"])
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """A fresh database with a random name on the test server, dropped afterwards."""
    name = f"complaints_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL unreachable at {ADMIN_URL}: {str(error).strip().splitlines()[0]}"
        _skipped["postgresql"] = reason
        pytest.skip(reason)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a migrated, empty-at-start database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'app.db'}"
        migrate(url)
        yield url
        return
    with throwaway_postgres_database() as url:
        migrate(url)
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the session's database, with the complaint tables emptied before the test."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for table in COMPLAINT_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def uow_factory(session_factory: sessionmaker[Session]) -> Callable[[], SqlAlchemyUnitOfWork]:
    return lambda: SqlAlchemyUnitOfWork(session_factory)


@pytest.fixture
def unreachable_uow_factory(database_url: str) -> Iterator[Callable[[], SqlAlchemyUnitOfWork]]:
    """Units of work on a server of the same kind that is not there (stopped, or a lost disk)."""
    engine = make_engine(UNREACHABLE[database_url.split(":", 1)[0].split("+", 1)[0]])
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    yield lambda: SqlAlchemyUnitOfWork(factory)
    engine.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for kind, reason in _skipped.items():
        terminalreporter.write_line(f"integration tests on {kind} SKIPPED: {reason}", yellow=True, bold=True)
