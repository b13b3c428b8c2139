"""scripts/check_private_imports.py: a package's `_`-prefixed names are its own and its modules'."""

import importlib.util
import subprocess
import sys

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("check_private_imports", ROOT / "scripts" / "check_private_imports.py")
check = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(check)  # type: ignore[union-attr]


def found(source: str, importer: str, package: bool = False) -> list[str]:
    return [what for _, what in check.violations_in(source, importer, package)]


@pytest.mark.parametrize(
    ("source", "importer", "imported"),
    [
        ("from bot.complaints.store import _filters", "bot.desk.store", "bot.complaints.store._filters"),
        ("import bot.complaints._rows", "bot.desk.store", "bot.complaints._rows"),
        ("from bot.complaints._rows import Row", "actions.status", "bot.complaints._rows"),
        ("from rasa.core.policies import _rule", "rasa_server.locks", "rasa.core.policies._rule"),
        ("from ..complaints.store import _to_domain", "bot.desk.store", "bot.complaints.store._to_domain"),
    ],
)
def test_another_packages_private_name_is_reported(source: str, importer: str, imported: str) -> None:
    assert found(source, importer) == [f"{importer} -> {imported}"]


@pytest.mark.parametrize(
    ("source", "importer"),
    [
        ("from bot.complaints.store import _filters", "bot.complaints.services"),  # a sibling module
        ("from .store import _filters", "bot.complaints.services"),
        ("from bot.complaints import _helpers", "bot.complaints"),  # the package itself
        ("from bot.complaints.store import _filters", "bot.complaints.read.views"),  # a sub-package
        ("from rasa import __version__", "rasa_server.rasa_fixes"),  # dunder names are public
        ("from bot.complaints.store import filters", "bot.desk.store"),
    ],
)
def test_a_packages_own_modules_and_public_names_are_not_reported(source: str, importer: str) -> None:
    assert found(source, importer) == []


def test_the_project_imports_no_other_packages_private_names_beyond_the_listed_ones() -> None:
    script = ROOT / "scripts" / "check_private_imports.py"
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
