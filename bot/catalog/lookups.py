"""Catalogue services for the bot: coverage at a place, handset compatibility, plan terms.

They take a SQLAlchemy session and return plain dataclasses with zh and en texts
where the user needs an explanation; the Rasa actions render them. Every answer
keeps the `sample` flag of the rows behind it, so the bot can say when it is
showing illustrative data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog.errors import InvalidTerminationQuery
from bot.catalog.matching import Outcome, Place, match_handset, match_place, match_plan
from bot.catalog.operators import OPERATORS, Operator, resolve_operator
from bot.catalog.orm import CoverageArea, Handset, Plan
from bot.messages import both

CoverageStatus = Literal["sa", "nsa", "planned", "none", "unknown"]
BandSupport = Literal["full", "partial", "none", "unknown"]
CENT = Decimal("0.01")

BILL_IS_AUTHORITATIVE = both("termination.bill_is_authoritative")


def _operators(operator: str | None) -> tuple[Operator, ...]:
    return (resolve_operator(operator),) if operator else tuple(OPERATORS.values())


# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class OperatorCoverage:
    operator: Operator
    status: CoverageStatus
    planned_date: dt.date | None
    meaning_zh: str
    meaning_en: str
    notes: str = ""
    source: str = ""
    sample: bool = False


@dataclass(frozen=True)
class AreaCoverage:
    place: Place
    operators: tuple[OperatorCoverage, ...]


@dataclass(frozen=True)
class CoverageAnswer:
    """`areas` is filled when the place is `unique`: one area for a district, one per district for a city."""

    query: str
    outcome: Outcome
    place: Place | None = None
    candidates: tuple[Place, ...] = ()
    areas: tuple[AreaCoverage, ...] = ()

    @property
    def sample(self) -> bool:
        return any(entry.sample for area in self.areas for entry in area.operators)


def status_meaning(status: CoverageStatus, operator: Operator, planned_date: dt.date | None = None) -> tuple[str, str]:
    """What a coverage status means for the user, in Chinese and English."""
    if status in ("sa", "nsa", "none"):
        return both(f"coverage.meaning.{status}")
    operator_name = (operator.name_zh, operator.name_en)
    if status == "planned":
        when = both("coverage.planned_on", date=planned_date.isoformat()) if planned_date else None
        return both("coverage.meaning.planned", operator=operator_name, when=when or both("coverage.planned_undated"))
    return both("coverage.meaning.unknown", operator=operator_name, hotline=operator.hotline)


def _operator_coverage(operator: Operator, row: CoverageArea | None) -> OperatorCoverage:
    if row is None:
        zh, en = status_meaning("unknown", operator)
        return OperatorCoverage(operator, "unknown", None, zh, en)
    status: CoverageStatus = row.status  # type: ignore[assignment]  # the table's CHECK constraint
    zh, en = status_meaning(status, operator, row.planned_date)
    return OperatorCoverage(operator, status, row.planned_date, zh, en, row.notes, row.source, row.sample)


def _area(place: Place, rows: Sequence[CoverageArea], operators: Sequence[Operator]) -> AreaCoverage:
    """A district's statuses; an operator without a district row falls back to its city-level row."""
    by_operator: dict[str, CoverageArea] = {}
    for row in sorted(rows, key=lambda r: r.district is not None):  # district rows override city rows
        by_operator[row.operator] = row
    return AreaCoverage(place, tuple(_operator_coverage(op, by_operator.get(op.key)) for op in operators))


def _district_place(city: Place, rows: Sequence[CoverageArea]) -> Place:
    aliases = next((tuple(row.district_aliases) for row in rows if row.district_aliases), ())
    return Place(city.province, city.city, rows[0].district, city.province_aliases, city.city_aliases, aliases)


def coverage_at(session: Session, query: str, operator: str | None = None) -> CoverageAnswer:
    """The 5G status of each operator (or of `operator` only) at the place the user named.

    Raises:
        UnknownOperator: `operator` names none of the four operators.
    """
    operators = _operators(operator)
    rows = session.scalars(select(CoverageArea)).all()
    match = match_place(query, rows)
    if match.found is None:
        return CoverageAnswer(query, match.outcome, candidates=match.candidates)
    place = match.found
    in_city = [row for row in rows if (row.province, row.city) == (place.province, place.city)]
    city_rows = [row for row in in_city if row.district is None]
    if place.district:
        district_rows = [row for row in in_city if row.district == place.district]
        areas: tuple[AreaCoverage, ...] = (_area(place, city_rows + district_rows, operators),)
    else:
        districts: dict[str, list[CoverageArea]] = {}
        for row in in_city:
            if row.district:
                districts.setdefault(row.district, []).append(row)
        areas = tuple(
            _area(_district_place(place, district_rows), city_rows + district_rows, operators)
            for _, district_rows in sorted(districts.items())
        )
        if city_rows or not areas:
            areas = (_area(place, city_rows, operators), *areas)
    return CoverageAnswer(query, "unique", place, (place,), areas)


# ---------------------------------------------------------------- handsets


@dataclass(frozen=True)
class HandsetSpec:
    brand: str
    model: str
    name_zh: str
    model_codes: tuple[str, ...]
    nr_bands: tuple[str, ...] | None  # None: unknown
    sa: bool | None
    vonr: bool | None
    dual_sim_5g: bool | None
    notes: str = ""
    source: str = ""
    sample: bool = False

    @classmethod
    def of(cls, row: Handset) -> HandsetSpec:
        return cls(
            brand=row.brand,
            model=row.model,
            name_zh=row.name_zh,
            model_codes=tuple(row.model_codes),
            nr_bands=tuple(row.nr_bands) if row.nr_bands is not None else None,
            sa=row.sa,
            vonr=row.vonr,
            dual_sim_5g=row.dual_sim_5g,
            notes=row.notes,
            source=row.source,
            sample=row.sample,
        )


@dataclass(frozen=True)
class OperatorCompatibility:
    """`works`: the phone has at least one of the operator's 5G bands (None when its bands are unknown).

    `band_support` is `full` when none of the operator's main bands (its own and a partner's it relies
    on, e.g. Broadnet's n28 + China Mobile's n41) is missing; `missing_bands` also lists re-farmed low
    bands and extra bands the phone lacks.
    """

    operator: Operator
    band_support: BandSupport
    works: bool | None
    missing_bands: tuple[str, ...]
    sa: bool | None
    vonr: bool | None


@dataclass(frozen=True)
class HandsetCompatibility:
    query: str
    outcome: Outcome
    handset: HandsetSpec | None = None
    candidates: tuple[HandsetSpec, ...] = ()
    operators: tuple[OperatorCompatibility, ...] = ()


def compatibility_with(handset: HandsetSpec, operator: Operator) -> OperatorCompatibility:
    """How well a handset's 5G bands fit one operator's network."""
    if handset.nr_bands is None:
        return OperatorCompatibility(operator, "unknown", None, (), handset.sa, handset.vonr)
    phone = set(handset.nr_bands)
    supported = tuple(band for band in operator.all_bands if band in phone)
    missing = tuple(band for band in operator.all_bands if band not in phone)
    main_missing = [band for band in operator.main_bands if band not in phone]
    support: BandSupport = "none" if not supported else "partial" if main_missing else "full"
    return OperatorCompatibility(operator, support, bool(supported), missing, handset.sa, handset.vonr)


def handset_compatibility(session: Session, query: str, operator: str | None = None) -> HandsetCompatibility:
    """Which operators' 5G the named handset can use, with the bands it misses."""
    operators = _operators(operator)
    match = match_handset(query, session.scalars(select(Handset)).all())
    if match.found is None:
        return HandsetCompatibility(query, match.outcome, candidates=tuple(HandsetSpec.of(h) for h in match.candidates))
    spec = HandsetSpec.of(match.found)
    checks = tuple(compatibility_with(spec, op) for op in operators)
    return HandsetCompatibility(query, "unique", spec, (spec,), checks)


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class PlanTerms:
    operator: Operator
    name: str
    name_en: str
    monthly_fee_yuan: Decimal
    data_gb: Decimal
    voice_minutes: int
    generation: str
    contract_months: int
    early_termination_rule: str
    early_termination_params: Mapping[str, Decimal]
    throttle_after_gb: Decimal | None = None
    throttle_speed_mbps: Decimal | None = None
    notes: str = ""
    source: str = ""
    sample: bool = False

    @classmethod
    def of(cls, row: Plan) -> PlanTerms:
        params = row.early_termination_params or {}
        return cls(
            operator=OPERATORS[row.operator],
            name=row.name,
            name_en=row.name_en,
            monthly_fee_yuan=row.monthly_fee_yuan,
            data_gb=row.data_gb,
            voice_minutes=row.voice_minutes,
            generation=row.generation,
            contract_months=row.contract_months,
            early_termination_rule=row.early_termination_rule,
            early_termination_params={name: Decimal(str(value)) for name, value in params.items()},
            throttle_after_gb=row.throttle_after_gb,
            throttle_speed_mbps=row.throttle_speed_mbps,
            notes=row.notes,
            source=row.source,
            sample=row.sample,
        )

    def title(self, language: str = "zh") -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def termination_text(self) -> tuple[str, str]:
        """The early-termination rule in words (zh, en)."""
        p = self.early_termination_params
        rule = self.early_termination_rule
        if self.contract_months == 0:
            return both("termination.rule.no_contract")
        if rule == "refund_benefit_pro_rata":
            return both(f"termination.rule.{rule}", months=self.contract_months, benefit=_yuan(p["benefit_yuan"]))
        if rule == "fixed_fee":
            return both(f"termination.rule.{rule}", months=self.contract_months, fee=_yuan(p["fee_yuan"]))
        if rule == "remaining_fees_percent":
            return both(f"termination.rule.{rule}", months=self.contract_months, percent=_number(p["percent"]))
        return both("termination.rule.none", months=self.contract_months)

    def throttle_text(self) -> tuple[str, str] | None:
        """The reduced speed after the high-speed allowance (达量限速), when the plan has one."""
        if self.throttle_after_gb is None or self.throttle_speed_mbps is None:
            return None
        return both("plan.throttle", gb=_number(self.throttle_after_gb), mbps=_number(self.throttle_speed_mbps))


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):f}"


@dataclass(frozen=True)
class PlanTermsAnswer:
    query: str
    outcome: Outcome
    plan: PlanTerms | None = None
    candidates: tuple[PlanTerms, ...] = ()


def plan_terms(session: Session, query: str, operator: str | None = None) -> PlanTermsAnswer:
    """The terms of the plan the user named (optionally among one operator's plans)."""
    match = match_plan(query, session.scalars(select(Plan)).all(), operator)
    candidates = tuple(PlanTerms.of(plan) for plan in match.candidates)
    plan = candidates[0] if match.outcome == "unique" else None
    return PlanTermsAnswer(query, match.outcome, plan, candidates)


@dataclass(frozen=True)
class ComparedField:
    field: str
    label_zh: str
    label_en: str
    a: object
    b: object

    @property
    def differs(self) -> bool:
        return self.a != self.b


@dataclass(frozen=True)
class PlanComparison:
    a: PlanTerms
    b: PlanTerms
    fields: tuple[ComparedField, ...]
    monthly_fee_difference: Decimal  # b minus a

    @property
    def cheaper(self) -> PlanTerms | None:
        if self.monthly_fee_difference == 0:
            return None
        return self.a if self.monthly_fee_difference > 0 else self.b


COMPARED_FIELDS = tuple(
    (name, *both(f"comparison.{name}"))
    for name in (
        "operator",
        "monthly_fee_yuan",
        "data_gb",
        "voice_minutes",
        "generation",
        "contract_months",
        "early_termination_rule",
        "throttle_after_gb",
        "throttle_speed_mbps",
    )
)


def compare_plans(a: PlanTerms, b: PlanTerms) -> PlanComparison:
    """Two plans side by side, field by field."""
    fields = tuple(
        ComparedField(name, zh, en, _comparable(getattr(a, name)), _comparable(getattr(b, name)))
        for name, zh, en in COMPARED_FIELDS
    )
    return PlanComparison(a, b, fields, b.monthly_fee_yuan - a.monthly_fee_yuan)


def _comparable(value: object) -> object:
    return value.key if isinstance(value, Operator) else value


@dataclass(frozen=True)
class TerminationEstimate:
    plan: PlanTerms
    remaining_months: int
    amount_yuan: Decimal
    rule: str
    rule_zh: str
    rule_en: str
    calculation_zh: str
    calculation_en: str
    authoritative_zh: str = BILL_IS_AUTHORITATIVE[0]
    authoritative_en: str = BILL_IS_AUTHORITATIVE[1]


def early_termination_estimate(plan: PlanTerms | Plan, remaining_months: int) -> TerminationEstimate:
    """What leaving the contract now would cost under the plan's rule, with the working shown.

    Raises:
        InvalidTerminationQuery: `remaining_months` is negative or longer than the contract.
    """
    terms = plan if isinstance(plan, PlanTerms) else PlanTerms.of(plan)
    if terms.contract_months and not 0 <= remaining_months <= terms.contract_months:
        raise InvalidTerminationQuery(
            f"remaining months must be between 0 and {terms.contract_months}, not {remaining_months}"
        )
    if not terms.contract_months and remaining_months < 0:
        raise InvalidTerminationQuery(f"remaining months cannot be negative ({remaining_months})")
    amount, zh, en = _termination_amount(terms, remaining_months if terms.contract_months else 0)
    rule_zh, rule_en = terms.termination_text()
    return TerminationEstimate(terms, remaining_months, amount, terms.early_termination_rule, rule_zh, rule_en, zh, en)


def _termination_amount(terms: PlanTerms, remaining: int) -> tuple[Decimal, str, str]:
    p = terms.early_termination_params
    rule = terms.early_termination_rule
    if remaining == 0 or rule == "none":
        return Decimal("0.00"), *both("termination.nothing_to_pay")
    if rule == "refund_benefit_pro_rata":
        benefit = p["benefit_yuan"]
        amount = (benefit * remaining / terms.contract_months).quantize(CENT, ROUND_HALF_UP)
        working = both(
            f"termination.working.{rule}",
            benefit=_yuan(benefit),
            remaining=remaining,
            months=terms.contract_months,
            amount=_yuan(amount),
        )
        return amount, *working
    if rule == "fixed_fee":
        amount = p["fee_yuan"].quantize(CENT, ROUND_HALF_UP)
        return amount, *both(f"termination.working.{rule}", amount=_yuan(amount))
    percent = p["percent"]
    fee = terms.monthly_fee_yuan
    amount = (fee * remaining * percent / 100).quantize(CENT, ROUND_HALF_UP)
    working = both(
        "termination.working.remaining_fees_percent",
        fee=_yuan(fee),
        remaining=remaining,
        percent=_number(percent),
        amount=_yuan(amount),
    )
    return amount, *working


def catalogue_plans(session: Session, operator: str | None = None) -> tuple[PlanTerms, ...]:
    """Every plan of the operator (or of all operators), cheapest first."""
    keys = {op.key for op in _operators(operator)}
    rows = session.scalars(select(Plan).order_by(Plan.monthly_fee_yuan)).all()
    return tuple(PlanTerms.of(row) for row in rows if row.operator in keys)
