"""Fails when a module imports another package's `_`-prefixed names (run by `make lint`).

A name that begins with one underscore is private to the package that defines it: the module
itself and its sibling modules may import it, nothing else may. Checked, for every import in the
project's Python files (bot, actions, rasa_server, common, scripts, tests):

- `from a.b.mod import _name`: private to package `a.b` (to `a.b.mod` when that is a package);
- `from a.b import _mod`, `import a.b._mod`, `from a.b._mod import name`: private to package `a.b`.

Libraries' private names (`from rasa.x import _y`) are checked the same way: they are theirs.
Ruff's PLC2701 does not do this: it lets any module of a first-party package import any other's.

Usage: python scripts/check_private_imports.py [PATH ...]   (exit status 1 when anything is found)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["bot", "actions", "rasa_server", "common", "scripts", "tests"]

# Known imports of other packages' private names, each to be removed by the change that fixes it.
# Write them exactly as the check reports them: "importer -> module.name".
ALLOWED: set[str] = set()


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted name of a file under ROOT, and whether it is a package (`__init__.py`)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[-1] == "__init__"
    if package:
        parts.pop()
    return ".".join(parts), package


def is_package(module: str) -> bool:
    """Whether a project module is a package (a library's modules count as plain modules)."""
    return (ROOT.joinpath(*module.split(".")) / "__init__.py").is_file()


def within(importer: str, owner: str) -> bool:
    return importer == owner or importer.startswith(owner + ".")


def absolute(node: ast.ImportFrom, importer: str, importer_is_package: bool) -> str:
    """The module an ImportFrom reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = importer.split(".") if importer_is_package else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_modules(module: str) -> Iterator[tuple[str, str]]:
    """(owner package, private part) for each `_`-prefixed segment of a dotted module name."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if is_private(part):
            yield ".".join(parts[:i]), ".".join(parts[: i + 1])


def violations(path: Path) -> Iterator[tuple[int, str]]:
    """(line, "importer -> imported") for every private import in one file."""
    importer, importer_is_package = module_name(path)
    yield from violations_in(path.read_text(encoding="utf-8"), importer, importer_is_package)


def violations_in(source: str, importer: str, importer_is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, "importer -> imported") for every private import in the source of module `importer`."""
    for node in ast.walk(ast.parse(source)):
        found: list[tuple[str, str]] = []  # (owner package, what is imported)
        if isinstance(node, ast.Import):
            for alias in node.names:
                found += private_modules(alias.name)
        elif isinstance(node, ast.ImportFrom):
            source_module = absolute(node, importer, importer_is_package)
            found += private_modules(source_module)
            for alias in node.names:
                if is_private(alias.name):
                    owner = source_module if is_package(source_module) else source_module.rpartition(".")[0]
                    found.append((owner, f"{source_module}.{alias.name}"))
        for owner, imported in found:
            if not within(importer, owner):
                yield node.lineno, f"{importer} -> {imported}"


def files(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = (ROOT / name).resolve()
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def main(argv: list[str]) -> int:
    problems, seen = [], set()
    for path in files(argv or CHECKED):
        if "node_modules" in path.parts:
            continue
        for line, found in violations(path):
            seen.add(found)
            if found not in ALLOWED:
                problems.append(f"{path.relative_to(ROOT)}:{line}: imports a private name of another package: {found}")
    # An entry nothing matches any more is stale: delete it with the change that fixed the import.
    stale = sorted(ALLOWED - seen) if not argv else []
    problems += [f"scripts/check_private_imports.py: allowed but no longer imported, delete it: {s}" for s in stale]
    print("\n".join(problems) if problems else "private imports: none across packages", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
