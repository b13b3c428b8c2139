"""The offline dependency audit (scripts/osv_audit.py) on hand-made OSV records and ignore lists."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("osv_audit", ROOT / "scripts" / "osv_audit.py")
assert _spec is not None and _spec.loader is not None
osv = importlib.util.module_from_spec(_spec)
sys.modules["osv_audit"] = osv  # dataclasses look their module up while the class is made
_spec.loader.exec_module(osv)

TODAY = dt.date(2026, 12, 7)


def record(advisory_id: str, package: str, events: list[dict[str, str]], ecosystem: str = "PyPI", **extra):
    return {
        "id": advisory_id,
        "summary": f"{advisory_id} in {package}",
        "affected": [
            {"package": {"name": package, "ecosystem": ecosystem}, "ranges": [{"type": "ECOSYSTEM", "events": events}]}
        ],
        **extra,
    }


@pytest.mark.parametrize(
    ("version", "affected"),
    [("3.9.5", True), ("3.10.10", True), ("3.10.11", False), ("4.0.0", False), ("0.1", True)],
)
def test_a_pin_below_the_fixed_release_is_affected_and_one_at_or_above_is_not(version, affected):
    advisory = record("PYSEC-1", "aiohttp", [{"introduced": "0"}, {"fixed": "3.10.11"}])
    found = osv.audit([osv.Pin("aiohttp", version)], [advisory], "PyPI")
    assert bool(found) is affected


def test_last_affected_includes_that_release_and_not_the_next():
    advisory = record("PYSEC-2", "keras", [{"introduced": "2.0"}, {"last_affected": "3.7.0"}])
    assert osv.audit([osv.Pin("keras", "3.7.0")], [advisory], "PyPI")
    assert not osv.audit([osv.Pin("keras", "3.7.1")], [advisory], "PyPI")
    assert not osv.audit([osv.Pin("keras", "1.9")], [advisory], "PyPI")


def test_two_affected_intervals_leave_the_gap_between_them_unaffected():
    events = [{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.3"}]
    advisory = record("PYSEC-3", "pkg", events)
    hits = {v for v in ("0.9", "1.2", "1.7", "2.1", "2.4") if osv.audit([osv.Pin("pkg", v)], [advisory], "PyPI")}
    assert hits == {"1.2", "2.1"}


def test_a_version_named_in_the_versions_list_is_affected_even_without_a_range():
    advisory = {
        "id": "PYSEC-4",
        "affected": [{"package": {"name": "Sanic_CORS", "ecosystem": "PyPI"}, "versions": ["2.0.1"]}],
    }
    assert osv.audit([osv.Pin("sanic-cors", "2.0.1")], [advisory], "PyPI")
    assert not osv.audit([osv.Pin("sanic-cors", "2.0.2")], [advisory], "PyPI")


def test_another_ecosystem_or_package_never_matches():
    advisory = record("GHSA-x", "ws", [{"introduced": "0"}, {"fixed": "9"}], ecosystem="npm")
    assert not osv.audit([osv.Pin("ws", "8.0.0")], [advisory], "PyPI")
    assert not osv.audit([osv.Pin("wss", "8.0.0")], [advisory], "npm")


def test_npm_prereleases_sort_before_their_release():
    advisory = record("GHSA-y", "socket.io-parser", [{"introduced": "4.0.0"}, {"fixed": "4.2.3"}], ecosystem="npm")
    assert osv.audit([osv.Pin("socket.io-parser", "4.2.3-rc.1")], [advisory], "npm")
    assert not osv.audit([osv.Pin("socket.io-parser", "4.2.7")], [advisory], "npm")
    assert osv.audit([osv.Pin("socket.io-parser", "4.2.2")], [advisory], "npm")


def test_pins_are_read_from_a_lock_file_with_names_normalised(tmp_path):
    lock = tmp_path / "x.lock"
    lock.write_text("# comment\nPyYAML==6.0.4\nsanic_cors==2.0.1  # why\n-e .\n", encoding="utf-8")
    assert osv.pins_from_lock(lock) == [osv.Pin("pyyaml", "6.0.4"), osv.Pin("sanic-cors", "2.0.1")]


def test_pins_are_read_from_an_npm_lock_including_nested_copies(tmp_path):
    lock = tmp_path / "package-lock.json"
    packages = {"": {"version": "1.0.0"}, "node_modules/debug": {"version": "4.3.7"}}
    packages["node_modules/engine.io-client/node_modules/debug"] = {"version": "4.4.3"}
    lock.write_text(json.dumps({"packages": packages}), encoding="utf-8")
    assert osv.pins_from_npm_lock(lock) == [osv.Pin("debug", "4.3.7"), osv.Pin("debug", "4.4.3")]


def ignore_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "ignore.txt"
    path.write_text("# comment\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def finding(advisory_id: str = "PYSEC-9", aliases: tuple[str, ...] = ("CVE-2024-1",), name: str = "pkg"):
    return osv.Finding(osv.Pin(name, "1.0"), advisory_id, aliases, ("1.1",), "summary")


def test_an_ignore_entry_accepts_a_finding_by_an_alias_until_its_review_date(tmp_path):
    entries, problems = osv.read_ignore_list(ignore_file(tmp_path, "CVE-2024-1 | pkg==1.0 | 2026-12-31 | not used"))
    assert problems == []
    open_findings, accepted, due = osv.judge([finding()], entries, TODAY)
    assert (open_findings, len(accepted), due) == ([], 1, [])


def test_an_ignore_entry_past_its_review_date_fails_again(tmp_path):
    entries, _ = osv.read_ignore_list(ignore_file(tmp_path, "CVE-2024-1 | pkg==1.0 | 2026-12-01 | not used"))
    open_findings, accepted, due = osv.judge([finding()], entries, TODAY)
    assert open_findings == [finding()] and accepted == [] and "review was due 2026-12-01" in due[0]


def test_an_ignore_entry_for_another_package_does_not_hide_the_finding(tmp_path):
    entries, _ = osv.read_ignore_list(ignore_file(tmp_path, "CVE-2024-1 | other==1.0 | 2027-01-01 | not used"))
    open_findings, _, _ = osv.judge([finding()], entries, TODAY)
    assert open_findings == [finding()]


@pytest.mark.parametrize(
    "line",
    ["CVE-2024-1 | pkg==1.0 | 2027-01-01", "CVE-2024-1 | pkg==1.0 | soon | reason", "CVE-2024-1 | | 2027-01-01 | r"],
)
def test_an_ignore_entry_without_package_date_or_reason_is_refused(tmp_path, line):
    entries, problems = osv.read_ignore_list(ignore_file(tmp_path, line))
    assert entries == [] and len(problems) == 1


def test_the_command_fails_on_an_open_finding_and_passes_when_it_is_accepted(tmp_path, capsys):
    db = tmp_path / "vulns" / "pkg"
    db.mkdir(parents=True)
    advisory = record("PYSEC-9", "pkg", [{"introduced": "0"}, {"fixed": "1.1"}], aliases=["CVE-2024-1"])
    (db / "PYSEC-9.yaml").write_text(yaml.safe_dump(advisory), encoding="utf-8")
    (tmp_path / "vulns" / "withdrawn").mkdir()
    lock = tmp_path / "x.lock"
    lock.write_text("pkg==1.0\nother==2.0\n", encoding="utf-8")
    args = ["--db", str(tmp_path / "vulns"), "--lock", str(lock), "--today", "2026-12-07"]

    assert osv.main([*args, "--ignore", str(ignore_file(tmp_path))]) == 1
    assert "VULNERABLE pkg 1.0: PYSEC-9 (CVE-2024-1) fixed in 1.1" in capsys.readouterr().out
    accepting = ignore_file(tmp_path, "CVE-2024-1 | pkg==1.0 | 2027-03-31 | not used here")
    assert osv.main([*args, "--ignore", str(accepting)]) == 0
    assert "accepted pkg 1.0: PYSEC-9" in capsys.readouterr().out


def test_a_missing_database_is_not_audited_rather_than_passed(tmp_path, capsys):
    lock = tmp_path / "x.lock"
    lock.write_text("pkg==1.0\n", encoding="utf-8")
    code = osv.main(["--db", str(tmp_path / "none"), "--ignore", str(ignore_file(tmp_path)), "--lock", str(lock)])
    assert code == 2 and "NOT AUDITED" in capsys.readouterr().out


def test_every_entry_of_the_projects_ignore_list_is_well_formed():
    entries, problems = osv.read_ignore_list(ROOT / "scripts" / "audit_ignore.txt")
    assert problems == []
    assert entries and all(len(entry.reason) > 20 for entry in entries)
