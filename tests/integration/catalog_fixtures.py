"""Fixtures of the catalogue import tests.

They build on `database_url` from conftest.py: a migrated SQLite file and a
throwaway PostgreSQL database (skipped, with the reason, when unreachable).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine

CATALOG_TABLES = ("coverage_areas", "handsets", "plans")


@pytest.fixture
def catalog_sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test database, with the catalogue tables emptied first."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for table in CATALOG_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def catalog_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Writes a catalogue file (dedented, first newline dropped) and returns its path."""

    def write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    return write
