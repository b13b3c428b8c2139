"""Regenerates the Rasa lookup tables (data/nlu/lookup_tables.yml) from the catalogue CSVs.

One lookup table per entity: `place` (coverage.sample.csv), `handset` (handsets.sample.csv),
`plan` (plans.sample.csv) and `operator` (the fixed list below). Every name and alias in the
CSVs is exported once (duplicates dropped, first spelling kept, compared case-insensitively);
lines starting with `#` are comments and skipped; `|`-separated columns are split.

    .venv/app/bin/python scripts/export_lookups.py                # writes data/nlu/lookup_tables.yml
    .venv/app/bin/python scripts/export_lookups.py --check        # exit 1 if the file is out of date
    .venv/app/bin/python scripts/export_lookups.py --stdout       # print instead of writing

Besides the names as written, it adds:
- place: the stem without an administrative suffix (朝阳区 -> 朝阳, 浦东新区 -> 浦东, 北京市 -> 北京),
  the same suffixes bot/catalog/matching.py strips; a stem left ending in 族 (阿坝藏族羌族自治州) is skipped.
- handset: "<brand> <model>" (Xiaomi 11, Honor 50); a model that is only digits ("11", "50") is not
  exported alone, since it would match any number in a message.

Only the standard library and PyYAML are used (PyYAML just to check the output parses).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "data" / "catalog"
OUTPUT = ROOT / "data" / "nlu" / "lookup_tables.yml"

# Operator names users type (see bot/catalog/operators.py). "Mobile" alone is left out: it mostly means a phone.
OPERATOR_NAMES = (
    "中国移动", "移动", "中移动", "China Mobile", "CMCC",
    "中国电信", "电信", "China Telecom", "Telecom", "CTCC",
    "中国联通", "联通", "China Unicom", "Unicom", "CUCC",
    "中国广电", "广电", "China Broadnet", "Broadnet", "CBN",
)  # fmt: skip

# Administrative suffixes, longest first (as in bot/catalog/matching.py ZH_SUFFIXES).
ZH_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "新区", "地区", "省", "市", "区", "县", "盟", "旗")

PLACE_COLUMNS = ("province", "province_aliases", "city", "city_aliases", "district", "district_aliases")
HANDSET_COLUMNS = ("name_zh", "model_codes", "aliases")
PLAN_COLUMNS = ("name", "name_en", "aliases")


def read_rows(path: Path) -> list[dict[str, str]]:
    """The CSV's rows as dicts, skipping `#` comment lines and blank lines."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


def split(cell: str | None) -> Iterator[str]:
    for part in (cell or "").split("|"):
        part = " ".join(part.split())
        if part:
            yield part


def stem(name: str) -> str | None:
    """The name without its administrative suffix, or None if there is none worth exporting."""
    for suffix in ZH_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            rest = name[: -len(suffix)]
            return None if rest.endswith("族") else rest
    return None


def unique(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def place_names(rows: list[dict[str, str]]) -> list[str]:
    names = []
    for row in rows:
        for column in PLACE_COLUMNS:
            for name in split(row.get(column)):
                names.append(name)
                if not column.endswith("_aliases") and (short := stem(name)):
                    names.append(short)
    return unique(names)


def handset_names(rows: list[dict[str, str]]) -> list[str]:
    names = []
    for row in rows:
        brand, model = " ".join((row.get("brand") or "").split()), " ".join((row.get("model") or "").split())
        if model and not model.isdigit():
            names.append(model)
        if brand and model:
            names.append(f"{brand} {model}")
        for column in HANDSET_COLUMNS:
            names.extend(split(row.get(column)))
    return unique(names)


def plan_names(rows: list[dict[str, str]]) -> list[str]:
    return unique(name for row in rows for column in PLAN_COLUMNS for name in split(row.get(column)))


def render(tables: dict[str, list[str]]) -> str:
    lines = [
        "# GENERATED FILE - do not edit by hand.",
        "# Made by scripts/export_lookups.py from data/catalog/{coverage,handsets,plans}.sample.csv",
        "# (every name and alias, deduplicated) plus the operator names in the script.",
        "# Regenerate: .venv/app/bin/python scripts/export_lookups.py",
        'version: "3.1"',
        "nlu:",
    ]
    for entity, names in tables.items():
        lines += [f"- lookup: {entity}", "  examples: |"]
        lines += [f"    - {name}" for name in names]
    return "\n".join(lines) + "\n"


def build(catalog: Path) -> str:
    tables = {
        "place": place_names(read_rows(catalog / "coverage.sample.csv")),
        "handset": handset_names(read_rows(catalog / "handsets.sample.csv")),
        "plan": plan_names(read_rows(catalog / "plans.sample.csv")),
        "operator": unique(OPERATOR_NAMES),
    }
    text = render(tables)
    # The output must parse back to exactly these entries.
    parsed = {item["lookup"]: item["examples"] for item in yaml.safe_load(text)["nlu"]}
    for entity, names in tables.items():
        got = [line[2:] for line in parsed[entity].splitlines()]
        if got != names:
            raise SystemExit(f"lookup table {entity!r} does not round-trip through YAML")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=CATALOG, help="folder with the *.sample.csv files")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if --output differs from what would be written")
    group.add_argument("--stdout", action="store_true", help="print the file instead of writing it")
    args = parser.parse_args(argv)
    text = build(args.catalog)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run scripts/export_lookups.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
