"""Importing the catalogues into SQLite and PostgreSQL, migrated with Alembic."""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.catalog.cli import main
from bot.catalog.importer import import_file
from bot.catalog.orm import CoverageArea, Handset, Plan
from bot.db import Base, make_engine
from tests.integration.catalog_fixtures import CATALOG_TABLES, catalog_file, catalog_sessions

__all__ = ["catalog_file", "catalog_sessions"]  # fixtures, imported for pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "catalog"
Sessions = sessionmaker[Session]
Write = Callable[[str, str], Path]

COVERAGE_HEADER = "province,province_aliases,city,city_aliases,district,district_aliases,operator,status,planned_date,notes,source,sample"  # noqa: E501
PLAN_HEADER = (
    "operator,name,name_en,aliases,monthly_fee_yuan,data_gb,voice_minutes,generation,contract_months,"
    "early_termination_rule,benefit_yuan,fee_yuan,percent,throttle_after_gb,throttle_speed_mbps,notes,source,sample"
)
PLAN_A = (
    "china_mobile,测试5G合约129,Test 5G 129,5G 129|5G合约129,"
    "129,30,500,5g,24,refund_benefit_pro_rata,1200,,,,,,test,true"
)
PLAN_B = "china_telecom,测试5G无限199,Test 5G 199,,199,40,1000,5G,0,none,,,,40,1,throttled,test,true"
PLAN_C = "china_unicom,测试4G套餐59,Test 4G 59,,59.50,15,200,4g,12,remaining_fees_percent,,,30,,,,test,false"


def count(sessions: Sessions, table: type[Base]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_the_sample_files_load_and_every_row_is_marked_sample(catalog_sessions: Sessions) -> None:
    expected = {"coverage": (CoverageArea, 48), "handsets": (Handset, 12), "plans": (Plan, 9)}
    for kind, (table, rows) in expected.items():
        report = import_file(catalog_sessions, SAMPLES / f"{kind}.sample.csv", kind)
        assert report.errors == []
        assert (report.inserted, report.updated) == (rows, 0)
        assert count(catalog_sessions, table) == rows
        with catalog_sessions() as session:
            assert all(row.sample for row in session.scalars(select(table)))


def test_a_bad_csv_reports_each_bad_physical_line_and_loads_nothing(
    catalog_sessions: Sessions, catalog_file: Write
) -> None:
    path = catalog_file(
        "coverage.csv",
        f"""
        # SAMPLE DATA — test file
        # the header follows
        {COVERAGE_HEADER}
        北京市,Beijing,北京市,Beijing,朝阳区,Chaoyang,china_mobile,sa,,,test,true
        北京市,Beijing,北京市,Beijing,朝阳区,Chaoyang,china_telecom,full,,,test,true
        # a comment between rows
        北京市,Beijing,北京市,Beijing,海淀区,Haidian,china_mobile,planned,,,test,true
        北京市,Beijing,北京市,Beijing,海淀区,Haidian,at&t,sa,,,test,true

        北京市,Beijing,北京市,Beijing,朝阳区,Chaoyang,中国移动,sa,,,test,true
        北京市,Beijing,北京市,Beijing,东城区,Dongcheng,china_unicom,nsa,,,,true
        上海市,Shanghai,上海市,Shanghai,黄浦区,Huangpu,china_mobile,sa,,"a note
        over two lines",test,maybe
        上海市,Shanghai,上海市,Shanghai,黄浦区,Huangpu,china_unicom,nsa,2026-01-01,,test,true
        上海市,Shanghai,上海市,Shanghai,黄浦区,Huangpu,china_telecom,sa,,,test,true
        """,
    )
    report = import_file(catalog_sessions, path, "coverage")
    errors = {error.line: error.message for error in report.errors}
    assert sorted(errors) == [5, 7, 8, 10, 11, 12, 14]
    assert errors[5].startswith("status: Input should be 'sa', 'nsa', 'planned' or 'none'")
    assert "planned_date" in errors[7]
    assert errors[8].startswith("operator: ") and "'at&t'" in errors[8]
    assert errors[10] == "same province, city, district, operator as line 4"
    assert errors[11] == "source: Field required"
    assert errors[12].startswith("sample: ")
    assert errors[14] == "planned_date is only for status 'planned', not 'nsa'"
    assert (report.inserted, report.updated) == (0, 0)
    assert count(catalog_sessions, CoverageArea) == 0


def test_a_bad_yaml_file_reports_the_line_of_each_bad_item(catalog_sessions: Sessions, catalog_file: Write) -> None:
    path = catalog_file(
        "plans.yml",
        """
        # SAMPLE DATA — test file
        - operator: china_mobile
          name: 测试5G合约129
          monthly_fee_yuan: 129
          data_gb: 30
          voice_minutes: 500
          generation: 5g
          contract_months: 24
          early_termination_rule: refund_benefit_pro_rata
          benefit_yuan: 1200
          source: test
        - operator: china_mobile
          name: 测试6G
          monthly_fee_yuan: -1
          data_gb: 30
          voice_minutes: 500
          generation: 6g
          early_termination_rule: none
          source: test
        - just a string
        - operator: china_unicom
          name: 测试合约
          monthly_fee_yuan: 59
          data_gb: 10
          voice_minutes: 100
          generation: 4g
          contract_months: 0
          early_termination_rule: fixed_fee
          fee_yuan: 100
          source: test
        """,
    )
    report = import_file(catalog_sessions, path, "plans")
    by_line: dict[int, list[str]] = {}
    for error in report.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [12, 20, 21]
    assert any(message.startswith("monthly_fee_yuan: ") for message in by_line[12])
    assert any(message.startswith("generation: ") for message in by_line[12])
    assert by_line[20] == ["each row must be a mapping of column: value"]
    assert by_line[21] == ["a plan without a contract (contract_months 0) cannot have the rule 'fixed_fee'"]
    assert count(catalog_sessions, Plan) == 0


def test_unreadable_yaml_is_reported_at_its_line(catalog_sessions: Sessions, catalog_file: Write) -> None:
    path = catalog_file("handsets.yaml", "- brand: Apple\n  model: [unclosed\n- brand: Huawei\n")
    report = import_file(catalog_sessions, path, "handsets")
    assert len(report.errors) == 1 and report.errors[0].line == 3
    assert report.errors[0].message.startswith("unreadable YAML")


def test_a_csv_with_an_unknown_column_is_reported_at_the_header(
    catalog_sessions: Sessions, catalog_file: Write
) -> None:
    path = catalog_file("plans.csv", f"# comment\n{PLAN_HEADER},colour\n{PLAN_A},red\n")
    report = import_file(catalog_sessions, path, "plans")
    assert [(error.line, error.message) for error in report.errors] == [(2, "unknown column 'colour'")]


def test_importing_again_updates_changed_rows_without_duplicating(
    catalog_sessions: Sessions, catalog_file: Write
) -> None:
    first = catalog_file("plans.csv", f"{PLAN_HEADER}\n{PLAN_A}\n{PLAN_B}\n")
    assert import_file(catalog_sessions, first, "plans").inserted == 2

    again = import_file(catalog_sessions, first, "plans")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)

    cheaper_b = PLAN_B.replace(",199,40,", ",189,40,")
    second = catalog_file("plans2.csv", f"# comments shift the lines\n{PLAN_HEADER}\n{PLAN_A}\n{cheaper_b}\n{PLAN_C}\n")
    report = import_file(catalog_sessions, second, "plans")
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 1)
    assert count(catalog_sessions, Plan) == 3
    with catalog_sessions() as session:
        plans = {plan.name: plan for plan in session.scalars(select(Plan))}
    assert plans["测试5G无限199"].monthly_fee_yuan == Decimal("189.00")
    assert plans["测试5G合约129"].early_termination_params == {"benefit_yuan": "1200.00"}
    assert plans["测试5G合约129"].aliases == ["5G 129", "5G合约129"]
    assert plans["测试4G套餐59"].early_termination_params == {"percent": "30.00"}
    assert plans["测试5G无限199"].throttle_speed_mbps == Decimal("1")


def test_a_bad_file_leaves_existing_rows_untouched(catalog_sessions: Sessions, catalog_file: Write) -> None:
    import_file(catalog_sessions, catalog_file("plans.csv", f"{PLAN_HEADER}\n{PLAN_A}\n"), "plans")
    changed_a = PLAN_A.replace(",129,30,", ",99,30,")
    bad = catalog_file("bad.csv", f"{PLAN_HEADER}\n{changed_a}\n{PLAN_B.replace(',none,', ',unknown_rule,')}\n")
    report = import_file(catalog_sessions, bad, "plans")
    assert [error.line for error in report.errors] == [3]
    with catalog_sessions() as session:
        assert session.scalars(select(Plan.monthly_fee_yuan)).all() == [Decimal("129.00")]


def test_csv_and_yaml_files_load_the_same_rows(catalog_sessions: Sessions, catalog_file: Write) -> None:
    yaml_file = catalog_file(
        "handsets.yml",
        """
        - brand: Apple
          model: iPhone 12
          name_zh: 苹果 iPhone 12
          model_codes: [A2404]
          aliases: [iPhone12, 苹果12]
          nr_bands: [n78, N1, n41]
          sa: null
          dual_sim_5g: false
          source: test
          sample: true
        - brand: Huawei
          model: Mate 40
          source: unknown
          sample: true
        """,
    )
    csv_file = catalog_file(
        "handsets.csv",
        """
        brand,model,name_zh,model_codes,aliases,nr_bands,sa,vonr,dual_sim_5g,notes,source,sample
        Apple,iPhone 12,苹果 iPhone 12,A2404,iPhone12|苹果12,n1|n41|n78,,,false,,test,true
        Huawei,Mate 40,,,,,,,,,unknown,true
        """,
    )
    assert import_file(catalog_sessions, yaml_file, "handsets").inserted == 2
    report = import_file(catalog_sessions, csv_file, "handsets")
    assert (report.errors, report.inserted, report.updated, report.unchanged) == ([], 0, 0, 2)
    with catalog_sessions() as session:
        iphone, mate = session.scalars(select(Handset).order_by(Handset.brand)).all()
    assert (iphone.nr_bands, iphone.sa, iphone.dual_sim_5g) == (["n1", "n41", "n78"], None, False)
    assert mate.nr_bands is None  # unknown, not "no 5G"


def test_a_dry_run_validates_and_counts_but_loads_nothing(catalog_sessions: Sessions) -> None:
    report = import_file(catalog_sessions, SAMPLES / "plans.sample.csv", "plans", dry_run=True)
    assert (report.ok, report.inserted) == (True, 9)
    assert count(catalog_sessions, Plan) == 0


def test_the_database_keeps_one_row_per_place_and_operator(catalog_sessions: Sessions) -> None:
    def city_row() -> CoverageArea:
        return CoverageArea(
            province="辽宁省", city="朝阳市", district=None, province_aliases=[], city_aliases=[],
            district_aliases=[], operator="china_mobile", status="sa", source="test",
        )  # fmt: skip

    with catalog_sessions() as session:
        session.add_all([city_row(), city_row()])
        with pytest.raises(IntegrityError):
            session.commit()


def test_the_cli_prints_file_line_message_and_exits_1(
    database_url: str, catalog_sessions: Sessions, catalog_file: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalog_file("plans.csv", f"# SAMPLE\n{PLAN_HEADER}\n{PLAN_A}\n{PLAN_B.replace(',5G,', ',3g,')}\n")
    assert main(["import", "--kind", "plans", "--database-url", database_url, str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}:4: generation: Input should be '5g' or '4g'")
    assert err[-1] == f"{path}: 1 error(s); nothing loaded"
    assert count(catalog_sessions, Plan) == 0

    sample = str(SAMPLES / "coverage.sample.csv")
    assert main(["import", "--kind", "coverage", "--database-url", database_url, sample]) == 0
    assert "48 coverage row(s) were inserted" in capsys.readouterr().out


def test_the_migration_builds_the_tables_the_orm_declares(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert set(CATALOG_TABLES) <= set(inspect(connection).get_table_names())
    engine.dispose()
    catalogue = [diff for diff in differences if any(table in repr(diff) for table in CATALOG_TABLES)]
    assert catalogue == []


def test_the_catalogue_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.cmd_opts = Namespace(x=[f"url={url}"])
    command.upgrade(config, "0002_catalogue")
    command.downgrade(config, "0001_complaints")
    engine = make_engine(url)
    assert not set(CATALOG_TABLES) & set(inspect(engine).get_table_names())
    command.upgrade(config, "0002_catalogue")
    assert set(CATALOG_TABLES) <= set(inspect(engine).get_table_names())
    engine.dispose()
