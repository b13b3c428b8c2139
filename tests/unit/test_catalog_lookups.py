"""Catalogue services: coverage at a place, handset compatibility, plan terms and early termination.

The session-based services run on a real SQLite file; the catalogue tables are
created from the ORM here (the integration tests check the migration builds the same).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.catalog.errors import InvalidTerminationQuery
from bot.catalog.lookups import (
    HandsetSpec,
    PlanTerms,
    compare_plans,
    compatibility_with,
    coverage_at,
    early_termination_estimate,
    handset_compatibility,
    plan_terms,
    status_meaning,
)
from bot.catalog.operators import OPERATORS, Operator
from bot.catalog.orm import CoverageArea, Handset, Plan
from bot.db import Base, make_engine

MOBILE, TELECOM, UNICOM, BROADNET = (OPERATORS[key] for key in OPERATORS)


def phone(bands: list[str] | None, sa: bool | None = True, vonr: bool | None = None) -> HandsetSpec:
    return HandsetSpec("Test", "Phone", "", (), tuple(bands) if bands is not None else None, sa, vonr, None)


# ---------------------------------------------------------------- handset compatibility (pure)


@pytest.mark.parametrize(
    ("bands", "operator", "support", "works", "missing"),
    [
        (["n1", "n28", "n41", "n78", "n79"], MOBILE, "full", True, ()),
        (["n1", "n41", "n78"], MOBILE, "partial", True, ("n79", "n28")),
        (["n1", "n78"], MOBILE, "none", False, ("n41", "n79", "n28")),
        (["n1", "n78"], TELECOM, "full", True, ("n5",)),
        (["n1", "n5", "n78"], TELECOM, "full", True, ()),
        (["n78"], UNICOM, "partial", True, ("n1", "n8")),
        (["n41"], UNICOM, "none", False, ("n78", "n1", "n8")),
        # Broadnet users rely on China Mobile's 2.6 GHz (n41) as well as n28; its own n79 is an extra
        (["n41", "n78"], BROADNET, "partial", True, ("n28", "n79")),
        (["n28", "n41"], BROADNET, "full", True, ("n79",)),
        (["n28", "n41", "n79"], BROADNET, "full", True, ()),
        (["n28", "n79"], BROADNET, "partial", True, ("n41",)),
        (["n1", "n78"], BROADNET, "none", False, ("n28", "n41", "n79")),
        # a phone known to have no 5G
        ([], MOBILE, "none", False, ("n41", "n79", "n28")),
    ],
)
def test_compatibility_lists_the_operator_bands_a_phone_misses(
    bands: list[str], operator: Operator, support: str, works: bool, missing: tuple[str, ...]
) -> None:
    result = compatibility_with(phone(bands), operator)
    assert (result.band_support, result.works, result.missing_bands) == (support, works, missing)


def test_unknown_bands_give_an_unknown_answer_not_a_no() -> None:
    result = compatibility_with(phone(None, sa=None), MOBILE)
    assert (result.band_support, result.works, result.missing_bands) == ("unknown", None, ())
    assert result.sa is None and result.vonr is None


def test_sa_and_vonr_of_the_handset_are_reported_per_operator() -> None:
    result = compatibility_with(phone(["n41", "n79", "n28"], sa=False, vonr=True), MOBILE)
    assert (result.sa, result.vonr) == (False, True)


# ---------------------------------------------------------------- early termination (pure)


def terms(rule: str, contract: int, fee: str = "100", **params: str) -> PlanTerms:
    return PlanTerms(
        operator=MOBILE,
        name="测试套餐",
        name_en="Test plan",
        monthly_fee_yuan=Decimal(fee),
        data_gb=Decimal("30"),
        voice_minutes=500,
        generation="5g",
        contract_months=contract,
        early_termination_rule=rule,
        early_termination_params={name: Decimal(value) for name, value in params.items()},
    )


@pytest.mark.parametrize(
    ("plan", "remaining", "amount"),
    [
        (terms("none", 0), 0, "0.00"),
        (terms("none", 12), 6, "0.00"),
        (terms("refund_benefit_pro_rata", 24, benefit_yuan="1200"), 10, "500.00"),
        (terms("refund_benefit_pro_rata", 24, benefit_yuan="480"), 24, "480.00"),
        (terms("refund_benefit_pro_rata", 24, benefit_yuan="100"), 7, "29.17"),  # 29.1666... rounded half up
        (terms("refund_benefit_pro_rata", 24, benefit_yuan="1200"), 0, "0.00"),
        (terms("fixed_fee", 12, fee_yuan="100"), 1, "100.00"),
        (terms("fixed_fee", 12, fee_yuan="100"), 12, "100.00"),
        (terms("fixed_fee", 12, fee_yuan="100"), 0, "0.00"),
        (terms("remaining_fees_percent", 12, fee="169", percent="30"), 5, "253.50"),
        (terms("remaining_fees_percent", 12, fee="99.90", percent="12.5"), 3, "37.46"),
    ],
)
def test_the_early_termination_estimate_follows_the_plans_rule(plan: PlanTerms, remaining: int, amount: str) -> None:
    estimate = early_termination_estimate(plan, remaining)
    assert estimate.amount_yuan == Decimal(amount)
    assert estimate.rule == plan.early_termination_rule
    assert amount in estimate.calculation_en and amount in estimate.calculation_zh


def test_the_estimate_shows_its_working_and_defers_to_the_operators_bill() -> None:
    estimate = early_termination_estimate(terms("refund_benefit_pro_rata", 24, benefit_yuan="1200"), 10)
    assert estimate.calculation_en == "¥1200.00 × 10/24 = ¥500.00"
    assert "1200.00" in estimate.rule_zh and "24" in estimate.rule_en
    assert "账单" in estimate.authoritative_zh and "bill" in estimate.authoritative_en


def test_a_plan_without_a_contract_costs_nothing_to_leave() -> None:
    estimate = early_termination_estimate(terms("none", 0), 3)
    assert estimate.amount_yuan == 0
    assert "No contract" in estimate.rule_en


@pytest.mark.parametrize("remaining", [-1, 25])
def test_remaining_months_outside_the_contract_are_refused(remaining: int) -> None:
    with pytest.raises(InvalidTerminationQuery):
        early_termination_estimate(terms("refund_benefit_pro_rata", 24, benefit_yuan="1200"), remaining)


def test_two_plans_are_compared_field_by_field() -> None:
    cheap = terms("none", 0, fee="59")
    dear = terms("fixed_fee", 12, fee="129", fee_yuan="100")
    comparison = compare_plans(cheap, dear)
    assert comparison.monthly_fee_difference == Decimal("70")
    assert comparison.cheaper is cheap
    differing = {field.field for field in comparison.fields if field.differs}
    assert differing == {"monthly_fee_yuan", "contract_months", "early_termination_rule"}
    assert compare_plans(cheap, cheap).cheaper is None


# ---------------------------------------------------------------- services on a database


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    tables = [Base.metadata.tables[name] for name in ("coverage_areas", "handsets", "plans")]
    Base.metadata.create_all(engine, tables=tables)
    with sessionmaker(bind=engine)() as session:
        session.add_all(
            [
                *coverage("北京市", "北京市", "朝阳区", ("sa", "sa", "nsa", None)),
                *coverage("北京市", "北京市", "延庆区", ("sa", None, None, "planned")),
                *coverage("辽宁省", "朝阳市", None, ("sa", "none", "none", "none")),
                *coverage("辽宁省", "朝阳市", "双塔区", ("sa", "sa", None, None)),
                Handset(brand="Apple", model="iPhone 12", name_zh="苹果 iPhone 12", model_codes=["A2404"],
                        aliases=["苹果12"], nr_bands=["n1", "n28", "n41", "n78", "n79"], source="test"),
                Handset(brand="Huawei", model="Mate 40", name_zh="华为 Mate 40", model_codes=[], aliases=[],
                        nr_bands=None, source="unknown"),
                Plan(operator="china_unicom", name="测试5G合约99", name_en="Test 5G Contract 99", aliases=[],
                     monthly_fee_yuan=Decimal("99"), data_gb=Decimal("20"), voice_minutes=300, generation="5g",
                     contract_months=24, early_termination_rule="refund_benefit_pro_rata",
                     early_termination_params={"benefit_yuan": "480.00"}, source="test", sample=True),
            ]
        )  # fmt: skip
        session.commit()
        yield session
    engine.dispose()


def coverage(province: str, city: str, district: str | None, statuses: tuple[str | None, ...]) -> list[CoverageArea]:
    return [
        CoverageArea(
            province=province,
            city=city,
            district=district,
            province_aliases=[],
            city_aliases=[],
            district_aliases=[],
            operator=key,
            status=status,
            planned_date=dt.date(2026, 6, 30) if status == "planned" else None,
            source="test",
            sample=True,
        )
        for key, status in zip(OPERATORS, statuses, strict=True)
        if status is not None
    ]


def test_coverage_gives_each_operators_status_and_its_meaning_in_both_languages(session: Session) -> None:
    answer = coverage_at(session, "北京朝阳")
    assert answer.outcome == "unique" and answer.sample
    (area,) = answer.areas
    statuses = {entry.operator.key: entry.status for entry in area.operators}
    assert statuses == {"china_mobile": "sa", "china_telecom": "sa", "china_unicom": "nsa", "china_broadnet": "unknown"}
    unicom = area.operators[2]
    assert "NSA" in unicom.meaning_zh and "NSA-only phones work" in unicom.meaning_en
    broadnet = area.operators[3]
    assert "10099" in broadnet.meaning_zh and "10099" in broadnet.meaning_en


def test_planned_coverage_gives_the_operators_date_as_a_plan(session: Session) -> None:
    answer = coverage_at(session, "延庆", operator="广电")
    (entry,) = answer.areas[0].operators
    assert (entry.status, entry.planned_date) == ("planned", dt.date(2026, 6, 30))
    assert "2026-06-30" in entry.meaning_zh and "not a promise" in entry.meaning_en


def test_no_coverage_says_4g_plans_remain_available(session: Session) -> None:
    (area,) = coverage_at(session, "辽宁朝阳", operator="china_telecom").areas[:1]
    assert area.operators[0].status == "none"
    assert "4G 套餐" in area.operators[0].meaning_zh and "4G plans remain available" in area.operators[0].meaning_en


def test_a_district_without_its_own_row_inherits_the_city_level_status(session: Session) -> None:
    (area,) = coverage_at(session, "双塔区").areas
    statuses = [entry.status for entry in area.operators]
    assert statuses == ["sa", "sa", "none", "none"]


def test_an_ambiguous_place_returns_the_candidates_and_no_statuses(session: Session) -> None:
    answer = coverage_at(session, "朝阳")
    assert answer.outcome == "ambiguous" and answer.areas == ()
    assert [place.label() for place in answer.candidates] == ["北京市朝阳区", "辽宁省朝阳市"]


def test_handset_compatibility_by_name_lists_every_operator(session: Session) -> None:
    answer = handset_compatibility(session, "苹果12")
    assert answer.outcome == "unique" and answer.handset is not None
    assert answer.handset.model_codes == ("A2404",)
    missing = {check.operator.key: check.missing_bands for check in answer.operators}
    assert missing == {"china_mobile": (), "china_telecom": ("n5",), "china_unicom": ("n8",), "china_broadnet": ()}


def test_a_handset_with_unknown_bands_is_unknown_for_every_operator(session: Session) -> None:
    answer = handset_compatibility(session, "华为 Mate 40")
    assert {check.band_support for check in answer.operators} == {"unknown"}


def test_an_unknown_handset_is_not_guessed(session: Session) -> None:
    assert handset_compatibility(session, "iPhone 13").outcome == "none"


def test_plan_terms_explain_the_contract_and_feed_the_estimate(session: Session) -> None:
    answer = plan_terms(session, "Test 5G Contract 99", operator="联通")
    assert answer.outcome == "unique" and answer.plan is not None
    assert answer.plan.early_termination_params == {"benefit_yuan": Decimal("480.00")}
    zh, en = answer.plan.termination_text()
    assert "24 个月" in zh and "480.00" in en
    assert early_termination_estimate(answer.plan, 12).amount_yuan == Decimal("240.00")


# ---------------------------------------------------------------- statuses and the sample file


def test_sa_coverage_does_not_promise_the_full_service_whatever_the_phone() -> None:
    zh, en = status_meaning("sa", MOBILE)
    assert "完整" not in zh and "full" not in en
    assert "SA" in zh and "NSA" in zh and "an NSA-only phone gets no 5G" in en


def test_the_sample_coverage_shows_broadnet_as_sa_only() -> None:
    """China Broadnet launched 5G in 2022 as SA only: no sample row may show it on NSA."""
    path = Path(__file__).resolve().parents[2] / "data" / "catalog" / "coverage.sample.csv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    broadnet = [row["status"] for row in csv.DictReader(lines) if row["operator"] == "china_broadnet"]
    assert broadnet and "nsa" not in broadnet and "sa" in broadnet
