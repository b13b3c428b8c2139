"""Loads catalogue files (CSV or YAML) into the database: every row valid, or nothing.

CSV: a header row, then one row per line; lines starting with `#` are comments,
and line numbers count physical lines, comments included. YAML: a list of
mappings with the CSV's column names. Rows are matched to the table by their
natural key, so importing a file again updates rows instead of adding copies.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog.orm import CoverageArea, Handset, Plan
from bot.catalog.schemas import ROW_MODELS, CatalogRow, describe
from bot.db import Base

Kind = Literal["coverage", "handsets", "plans"]
KINDS: tuple[Kind, ...] = ("coverage", "handsets", "plans")
TABLES: dict[str, type[Base]] = {"coverage": CoverageArea, "handsets": Handset, "plans": Plan}
CSV_SUFFIXES = {".csv"}
YAML_SUFFIXES = {".yml", ".yaml"}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    path: Path
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


RawRow = tuple[int, dict[str, Any]]


# ---------------------------------------------------------------- reading


def _numbered_data_lines(text: str) -> Iterator[tuple[int, str]]:
    # Lines end at \n, \r\n or \r only (not at the other breaks str.splitlines knows), as editors count them.
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line


def read_csv(text: str, columns: set[str], required: set[str]) -> tuple[list[RawRow], list[RowError]]:
    """Rows with the physical line each starts on. A faulty header is reported alone, rows unread."""
    lines = list(_numbered_data_lines(text))
    if not lines:
        return [], [RowError(1, "no header row")]
    position = 0

    def feed() -> Iterator[str]:
        nonlocal position
        while position < len(lines):
            position += 1
            yield lines[position - 1][1]

    reader = csv.reader(feed())
    header_line = lines[0][0]
    header = [name.strip() for name in next(reader)]
    errors = [RowError(header_line, f"unknown column {name!r}") for name in header if name not in columns]
    errors += [
        RowError(header_line, f"column {name!r} appears twice") for name in set(header) if header.count(name) > 1
    ]
    errors += [RowError(header_line, f"missing column {name!r}") for name in sorted(required - set(header))]
    if errors:
        return [], errors
    rows: list[RawRow] = []
    while position < len(lines):
        line = lines[position][0]
        try:
            cells = next(reader)
        except csv.Error as error:
            errors.append(RowError(line, f"unreadable CSV: {error}"))
            break
        if len(cells) > len(header):
            errors.append(RowError(line, f"{len(cells)} cells but the header has {len(header)} columns"))
            continue
        rows.append((line, {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header)}))
    return rows, errors


def read_yaml(text: str) -> tuple[list[RawRow], list[RowError]]:
    """Rows of a YAML list of mappings, each with the line its item starts on."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return [], [RowError(mark.line + 1 if mark else 1, f"unreadable YAML: {error.problem or error}")]
    if root is None:
        return [], []
    if not isinstance(root, yaml.SequenceNode):
        return [], [RowError(root.start_mark.line + 1, "expected a list of rows")]
    rows: list[RawRow] = []
    errors: list[RowError] = []
    for node, item in zip(root.value, data, strict=True):
        line = node.start_mark.line + 1
        if isinstance(item, dict):
            rows.append((line, {str(key): value for key, value in item.items()}))
        else:
            errors.append(RowError(line, "each row must be a mapping of column: value"))
    return rows, errors


def read_rows(path: Path, kind: str) -> tuple[list[RawRow], list[RowError]]:
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        fields = ROW_MODELS[kind].model_fields
        return read_csv(text, set(fields), {name for name, info in fields.items() if info.is_required()})
    if suffix in YAML_SUFFIXES:
        return read_yaml(text)
    raise ValueError(f"{path}: unsupported file type {suffix!r} (use .csv, .yml or .yaml)")


# ---------------------------------------------------------------- validating


def validate_rows(raw: list[RawRow], kind: str) -> tuple[list[tuple[int, CatalogRow]], list[RowError]]:
    """Every row through its model; each bad row and each repeated natural key reported by line."""
    model = ROW_MODELS[kind]
    valid: list[tuple[int, CatalogRow]] = []
    errors: list[RowError] = []
    first_line: dict[tuple[Any, ...], int] = {}
    for line, values in raw:
        try:
            row = model.model_validate(values)
        except ValidationError as error:
            errors.extend(RowError(line, message) for message in describe(error))
            continue
        if row.key() in first_line:
            key = ", ".join(model.natural_key)
            errors.append(RowError(line, f"same {key} as line {first_line[row.key()]}"))
            continue
        first_line[row.key()] = line
        valid.append((line, row))
    return valid, errors


def validate_file(path: Path, kind: str) -> tuple[list[CatalogRow], list[RowError]]:
    if kind not in ROW_MODELS:
        raise ValueError(f"unknown catalogue kind {kind!r} (one of {', '.join(KINDS)})")
    raw, read_errors = read_rows(path, kind)
    valid, errors = validate_rows(raw, kind)
    errors = sorted(read_errors + errors, key=lambda error: error.line)
    return [row for _, row in valid], errors


# ---------------------------------------------------------------- loading


def _upsert(session: Session, kind: str, rows: list[CatalogRow], report: ImportReport) -> None:
    table = TABLES[kind]
    names = ROW_MODELS[kind].natural_key
    existing = {tuple(getattr(obj, name) for name in names): obj for obj in session.scalars(select(table))}
    for row in rows:
        values = row.columns()
        obj = existing.get(row.key())
        if obj is None:
            session.add(table(**values))
            report.inserted += 1
            continue
        changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
        for name, value in changed.items():
            setattr(obj, name, value)
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1


def import_file(
    session_factory: Callable[[], Session], path: str | Path, kind: str, *, dry_run: bool = False
) -> ImportReport:
    """Validate every row of `path`; when all are valid (and not `dry_run`), upsert them in one transaction.

    Raises:
        ValueError: an unknown kind or file type. FileNotFoundError: no such file.
    """
    path = Path(path)
    rows, errors = validate_file(path, kind)
    report = ImportReport(path=path, kind=kind, errors=errors)
    if errors:
        return report
    with session_factory() as session:
        transaction = session.begin()
        try:
            _upsert(session, kind, rows, report)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return report
