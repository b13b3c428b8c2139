"""Command line of the catalogues: `python -m bot.catalog.cli import --kind coverage FILE`.

Errors are printed as `FILE:LINE: message`, one per line, and the exit status is 1;
nothing is loaded then. `register` lets the main CLI (bot.cli) offer the same command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.catalog.importer import KINDS, ImportReport, import_file


def run_import(args: argparse.Namespace) -> int:
    """Validate a catalogue file and load it: all rows or none."""
    from bot.db import session_factory
    from bot.settings import get_settings

    url = args.database_url or get_settings().database_url
    try:
        report = import_file(session_factory(url), args.file, args.kind, dry_run=args.dry_run)
    except (OSError, ValueError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        first_line = str(error).strip().splitlines()[0]
        print(
            f"{args.file}: database error ({first_line}); is the schema migrated (alembic upgrade head)?",
            file=sys.stderr,
        )
        return 2
    print_report(report, dry_run=args.dry_run)
    return 0 if report.ok else 1


def print_report(report: ImportReport, dry_run: bool = False) -> None:
    for error in report.errors:
        print(f"{report.path}:{error.line}: {error.message}", file=sys.stderr)
    if report.errors:
        print(f"{report.path}: {len(report.errors)} error(s); nothing loaded", file=sys.stderr)
        return
    verb = "would be" if dry_run else "were"
    print(
        f"{report.path}: {report.inserted} {report.kind} row(s) {verb} inserted, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )


def register(commands: Any) -> None:
    """Add the `import` command to an argparse subparsers object."""
    command = commands.add_parser("import", help=run_import.__doc__, description=run_import.__doc__)
    command.add_argument("--kind", choices=KINDS, required=True, help="which catalogue the file holds")
    command.add_argument("--database-url", help="default: DATABASE_URL from the settings")
    command.add_argument("--dry-run", action="store_true", help="validate and count, but load nothing")
    command.add_argument("file", type=Path, help="a .csv, .yml or .yaml file")
    command.set_defaults(run=run_import)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalog.cli", description=__doc__.splitlines()[0])
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
