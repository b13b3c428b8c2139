"""Plain-language answers (zh/en) for the look-ups, ready for a chat bubble.

Kept apart from the Rasa actions so the answers are tested without a tracker; their words are
in the message catalogue (bot.messages).
"""

from __future__ import annotations

from decimal import Decimal

from bot.catalog.finder import FinderResult, PlanQuery
from bot.catalog.lookups import (
    CoverageAnswer,
    HandsetCompatibility,
    PlanComparison,
    PlanTerms,
    TerminationEstimate,
)
from bot.messages import say


def _sample_note(language: str) -> str:
    return say("lookup.sample_note", language)


def _yes_no(value: bool | None, language: str) -> str:
    if value is None:
        return say("lookup.no_data", language)
    return say("lookup.supported" if value else "lookup.not_supported", language)


def _status(status: str, language: str) -> str:
    known = status in ("sa", "nsa", "planned", "none")
    return say(f"coverage.status.{status if known else 'unknown'}", language)


def coverage_text(answer: CoverageAnswer, language: str) -> str:
    """Per operator at the place: status and what it means for the user."""
    lines = []
    for area in answer.areas:
        lines.append(f"📍 {area.place.label(language)}")
        for item in area.operators:
            meaning = item.meaning_en if language == "en" else item.meaning_zh
            lines.append(f"· {item.operator.name(language)}: {_status(item.status, language)} — {meaning}")
    if answer.sample:
        lines.append(_sample_note(language))
    lines.append(say("coverage.complain_if_wrong", language))
    return "\n".join(lines)


def handset_text(answer: HandsetCompatibility, language: str) -> str:
    """Which operators' 5G the phone works on, missing bands, SA and VoNR, and what that means."""
    handset = answer.handset
    assert handset is not None
    name = handset.name_zh if language == "zh" and handset.name_zh else f"{handset.brand} {handset.model}"
    if handset.nr_bands is None:
        operators = [item.operator for item in answer.operators]
        hotlines = say("list.separator", language).join(
            say("operator.hotline", language, operator=op.name(language), hotline=op.hotline) for op in operators
        )
        body = say("handset.no_band_data", language, name=name, hotlines=hotlines)
        return body + ("\n" + _sample_note(language) if handset.sample else "")
    lines = [say("handset.bands", language, name=name, bands=", ".join(handset.nr_bands) or "-")]
    for item in answer.operators:
        op = item.operator.name(language)
        if item.band_support == "full":
            verdict = say("handset.full", language)
        elif item.band_support == "partial":
            verdict = say("handset.partial", language, missing=", ".join(item.missing_bands))
        else:
            verdict = say("handset.none", language)
        lines.append(f"· {op}: {verdict}")
    lines.append(
        say("handset.sa_vonr", language, sa=_yes_no(handset.sa, language), vonr=_yes_no(handset.vonr, language))
    )
    if handset.sample:
        lines.append(_sample_note(language))
    return "\n".join(lines)


def plan_text(plan: PlanTerms, language: str) -> str:
    """A plan's terms in plain words."""
    termination = _pick(plan.termination_text(), language)
    throttle = plan.throttle_text()
    months = plan.contract_months
    contract = say("plan.contract", language, months=months) if months else say("plan.no_contract", language)
    title, operator = plan.title(language), plan.operator.name(language)
    terms = say(
        "plan.terms",
        language,
        fee=plan.monthly_fee_yuan,
        data=plan.data_gb,
        minutes=plan.voice_minutes,
        generation=plan.generation.upper(),
        contract=contract,
    )
    lines = [say("plan.head", language, title=title, operator=operator), terms, termination]
    if throttle:
        lines.append(_pick(throttle, language))
    if plan.sample:
        lines.append(_sample_note(language))
    return "\n".join(lines)


def comparison_text(comparison: PlanComparison, language: str) -> str:
    a, b = comparison.a.title(language), comparison.b.title(language)
    lines = [say("comparison.head", language, a=a, b=b)]
    for item in comparison.fields:
        label = item.label_en if language == "en" else item.label_zh
        mark = " ◀" if item.differs else ""
        lines.append(f"· {label}: {item.a} | {item.b}{mark}")
    if comparison.a.sample or comparison.b.sample:
        lines.append(_sample_note(language))
    return "\n".join(lines)


def termination_text(estimate: TerminationEstimate, language: str) -> str:
    zh = language != "en"
    head = say(
        "termination.head",
        language,
        plan=estimate.plan.title(language),
        months=estimate.remaining_months,
        amount=estimate.amount_yuan,
    )
    rule = estimate.rule_zh if zh else estimate.rule_en
    calc = estimate.calculation_zh if zh else estimate.calculation_en
    note = estimate.authoritative_zh if zh else estimate.authoritative_en
    return "\n".join([head, rule, calc, note] + ([_sample_note(language)] if estimate.plan.sample else []))


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _plan_line(plan: PlanTerms, language: str) -> str:
    months = plan.contract_months
    return say(
        "plan.line",
        language,
        title=plan.title(language),
        operator=plan.operator.name(language),
        fee=plan.monthly_fee_yuan,
        data=_number(plan.data_gb),
        generation=plan.generation.upper(),
        contract=say("plan.line.contract", language, months=months)
        if months
        else say("plan.line.no_contract", language),
    )


def _criteria(query: PlanQuery, language: str) -> str:
    parts = []
    if query.generation:
        parts.append(query.generation.upper())
    if query.budget is not None:
        parts.append(say("finder.criteria.budget", language, budget=_number(query.budget)))
    if query.min_data_gb is not None:
        sign = ">" if query.more_data else "≥"
        parts.append(say("finder.criteria.data", language, sign=sign, data=_number(query.min_data_gb)))
    if query.no_contract:
        parts.append(say("finder.criteria.no_contract", language))
    if query.max_contract_months is not None:
        parts.append(say("finder.criteria.contract", language, months=query.max_contract_months))
    return say("list.separator", language).join(parts)


def finder_text(result: FinderResult, language: str) -> str:
    """The finder's answer: the list, the best fit with alternatives, or that nothing fits."""
    criteria = _criteria(result.query, language)
    if result.kind == "none":
        if result.query.price is not None:
            head = say("finder.none.at_price", language, price=_number(result.query.price))
        elif criteria:
            head = say("finder.none.with_criteria", language, criteria=criteria)
        else:
            head = say("finder.none", language)
        return say("finder.none.look_elsewhere", language, head=head)
    if result.kind == "list":
        head = (
            say("finder.list.with_criteria", language, criteria=criteria) if criteria else say("finder.list", language)
        )
        lines = [head, *(_plan_line(plan, language) for plan in result.plans)]
        lines.append(say("finder.list.ask_terms", language))
    else:
        best = result.plans[0]
        fit = say("finder.criteria.in_brackets", language, criteria=criteria) if criteria else ""
        if result.query.sort == "most_data":
            head = say("finder.best.most_data", language, fit=fit)
        elif result.query.budget is not None and result.query.min_data_gb is None and not result.query.sort:
            head = say("finder.best.most_data_in_budget", language, fit=fit)
        else:
            head = say("finder.best.cheapest", language, fit=fit)
        lines = [head, plan_text(best, language).replace(_sample_note(language), "").strip()]
        if others := result.plans[1:]:
            lines.append(say("finder.other_options", language))
            lines.extend(_plan_line(plan, language) for plan in others)
    if result.sample:
        lines.append(_sample_note(language))
    return "\n".join(lines)
