"""Audit pinned dependencies against a local copy of an OSV advisory database.

Reads the pins of requirements/*.lock (PyPI) or web/package-lock.json (npm) and the OSV
records (YAML or JSON, as the PyPA advisory database and OSV exports store them) under a
directory, and prints every advisory whose affected ranges or version lists contain a pin.
Advisories listed in the ignore file (by their id or any alias) are reported as accepted,
not as findings; an ignore entry must name the package, a review date that has not passed,
and a reason.

Exit status: 0 nothing unexplained, 1 a finding not in the ignore list (or an ignore entry
that is malformed or past its review date), 2 the database directory is missing or empty.

Usage: osv_audit.py --db DIR --ignore FILE (--lock FILE | --npm-lock FILE) [--today YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

try:  # the C loader reads the ~7000 records several times faster
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]


@dataclass(frozen=True)
class Pin:
    name: str
    version: str


@dataclass(frozen=True)
class Finding:
    pin: Pin
    advisory_id: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]
    summary: str

    @property
    def ids(self) -> set[str]:
        return {self.advisory_id, *self.aliases}


@dataclass(frozen=True)
class IgnoreEntry:
    advisory_id: str
    package: str
    review_by: dt.date
    reason: str


def normalise(name: str) -> str:
    """PEP 503 name; npm names are kept as they are (scoped names included)."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---- pins ----


def pins_from_lock(path: Path) -> list[Pin]:
    pins = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip().rstrip("\\").strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            pins.append(Pin(normalise(name.split("[", 1)[0]), version.split(";", 1)[0].strip()))
    return pins


def pins_from_npm_lock(path: Path) -> list[Pin]:
    packages = json.loads(path.read_text(encoding="utf-8")).get("packages", {})
    pins = set()
    for where, info in packages.items():
        if where and "version" in info:
            pins.add(Pin(where.rsplit("node_modules/", 1)[-1], info["version"]))
    return sorted(pins, key=lambda p: (p.name, p.version))


# ---- versions ----


def pypi_key(version: str) -> Any:
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


def semver_key(version: str) -> Any:
    """npm's order: numbers first, a pre-release sorts before its release."""
    core, _, pre = version.split("+", 1)[0].partition("-")
    numbers = tuple(int(part) if part.isdigit() else 0 for part in core.split("."))
    tail = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    return (numbers, 0 if pre else 1, tail)


def in_range(version: str, events: list[dict[str, str]], key: Any) -> bool:
    """OSV's ECOSYSTEM/SEMVER range: walk the events in order of version."""

    def event_key(event: dict[str, str]) -> Any:
        kind, value = next(iter(event.items()))
        return (0,) if value == "0" else (1, key(value))

    affected = False
    here = (1, key(version))
    for event in sorted(events, key=event_key):
        kind, value = next(iter(event.items()))
        where = event_key(event)
        if kind == "introduced" and where <= here:
            affected = True
        elif kind == "fixed" and where <= here:
            affected = False
        elif kind == "last_affected" and where < here:
            affected = False
    return affected


# ---- advisories ----


def read_records(db: Path, names: set[str]) -> Iterator[dict[str, Any]]:
    """Records of the packages we pin; the PyPA layout keeps one folder per package."""
    for path in sorted(db.rglob("*")):
        if path.suffix not in {".yaml", ".yml", ".json"} or not path.is_file():
            continue
        if path.parent != db and normalise(path.parent.name) not in names:
            continue  # a folder per package (PyPA layout); a flat export is read whole
        text = path.read_text(encoding="utf-8")
        record = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=SafeLoader)
        if isinstance(record, dict) and not record.get("withdrawn"):
            yield record


def affects(record: dict[str, Any], pin: Pin, ecosystem: str, key: Any) -> tuple[bool, tuple[str, ...]]:
    for affected in record.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != ecosystem:
            continue
        name = package.get("name", "")
        if (normalise(name) if ecosystem == "PyPI" else name) != pin.name:
            continue
        fixed = tuple(
            event["fixed"] for rng in affected.get("ranges", []) for event in rng.get("events", []) if "fixed" in event
        )
        if pin.version in {str(v) for v in affected.get("versions", [])}:
            return True, fixed
        for rng in affected.get("ranges", []):
            if rng.get("type") in {"ECOSYSTEM", "SEMVER"} and in_range(pin.version, rng.get("events", []), key):
                return True, fixed
    return False, ()


def audit(pins: Iterable[Pin], records: Iterable[dict[str, Any]], ecosystem: str) -> list[Finding]:
    key = pypi_key if ecosystem == "PyPI" else semver_key
    by_name: dict[str, list[Pin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    findings = []
    for record in records:
        for pins_of_name in by_name.values():
            for pin in pins_of_name:
                hit, fixed = affects(record, pin, ecosystem, key)
                if hit:
                    summary = record.get("summary") or record.get("details", "").strip().split("\n")[0]
                    findings.append(
                        Finding(pin, record["id"], tuple(record.get("aliases") or ()), fixed, summary[:120])
                    )
    return sorted(findings, key=lambda f: (f.pin.name, f.advisory_id))


# ---- the ignore list ----


def read_ignore_list(path: Path) -> tuple[list[IgnoreEntry], list[str]]:
    """Lines 'ID | package | review by YYYY-MM-DD | reason'; '#' starts a comment."""
    entries, problems = [], []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("|")]
        if len(fields) != 4 or not all(fields):
            problems.append(f"{path.name}:{number}: needs 'ID | package | review date | reason'")
            continue
        try:
            review_by = dt.date.fromisoformat(fields[2])
        except ValueError:
            problems.append(f"{path.name}:{number}: review date {fields[2]!r} is not YYYY-MM-DD")
            continue
        entries.append(IgnoreEntry(fields[0], normalise(fields[1].split("==")[0]), review_by, fields[3]))
    return entries, problems


def judge(
    findings: list[Finding], entries: list[IgnoreEntry], today: dt.date
) -> tuple[list[Finding], list[tuple[Finding, IgnoreEntry]], list[str]]:
    """Split findings into open and accepted; an accepted one past its review date is open again."""
    open_findings, accepted, problems = [], [], []
    for finding in findings:
        entry = next(
            (e for e in entries if e.advisory_id in finding.ids and e.package in {finding.pin.name, "*"}),
            None,
        )
        if entry is None:
            open_findings.append(finding)
        elif entry.review_by < today:
            problems.append(f"{entry.advisory_id} ({entry.package}): review was due {entry.review_by}")
            open_findings.append(finding)
        else:
            accepted.append((finding, entry))
    return open_findings, accepted, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--ignore", type=Path, required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--lock", type=Path)
    source.add_argument("--npm-lock", type=Path)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args(argv)

    ecosystem = "PyPI" if args.lock else "npm"
    pins = pins_from_lock(args.lock) if args.lock else pins_from_npm_lock(args.npm_lock)
    if not args.db.is_dir() or not any(args.db.iterdir()):
        print(f"NOT AUDITED: no advisory database at {args.db}")
        return 2
    records = list(read_records(args.db, {p.name for p in pins} | {normalise(p.name) for p in pins}))
    findings = audit(pins, records, ecosystem)
    entries, problems = read_ignore_list(args.ignore)
    open_findings, accepted, due = judge(findings, entries, args.today)
    for finding in open_findings:
        fixes = ", ".join(finding.fixed) or "no fixed release"
        aliases = ", ".join(finding.aliases)
        print(
            f"VULNERABLE {finding.pin.name} {finding.pin.version}: {finding.advisory_id}"
            f" ({aliases}) fixed in {fixes}: {finding.summary}"
        )
    for finding, entry in accepted:
        print(
            f"accepted {finding.pin.name} {finding.pin.version}: {finding.advisory_id}"
            f" (review by {entry.review_by}): {entry.reason}"
        )
    for problem in problems + due:
        print(f"IGNORE LIST: {problem}")
    source_name = (args.lock or args.npm_lock).name
    newest = max((str(r.get("modified", ""))[:10] for r in records), default="none")
    print(
        f"{source_name}: {len(pins)} pins against {len(records)} advisories of those packages"
        f" (newest modified {newest}); {len(open_findings)} open, {len(accepted)} accepted"
    )
    return 1 if open_findings or problems or due else 0


if __name__ == "__main__":
    sys.exit(main())
