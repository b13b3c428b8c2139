"""Plain-language answers (zh/en) for the look-ups, ready for a chat bubble.

Kept apart from the Rasa actions so the wording is tested without a tracker.
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

SAMPLE_NOTE = (
    "（以上为示例数据，仅供演示，以运营商公布为准。）",
    "(Sample data for demonstration; the operator's own information prevails.)",
)
STATUS = {
    "sa": ("5G（SA独立组网）", "5G (SA)"),
    "nsa": ("5G（NSA非独立组网）", "5G (NSA)"),
    "planned": ("计划建设", "planned"),
    "none": ("暂无5G", "no 5G"),
    "unknown": ("暂无数据", "no data"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def _yes_no(value: bool | None, language: str) -> str:
    if value is None:
        return "暂无数据" if language == "zh" else "unknown"
    return ("支持" if value else "不支持") if language == "zh" else ("yes" if value else "no")


def coverage_text(answer: CoverageAnswer, language: str) -> str:
    """Per operator at the place: status and what it means for the user."""
    lines = []
    for area in answer.areas:
        lines.append(f"📍 {area.place.label(language)}")
        for item in area.operators:
            status = _pick(STATUS.get(item.status, STATUS["unknown"]), language)
            meaning = item.meaning_en if language == "en" else item.meaning_zh
            lines.append(f"· {item.operator.name(language)}: {status} — {meaning}")
    if answer.sample:
        lines.append(_pick(SAMPLE_NOTE, language))
    lines.append(
        "如果这里显示有覆盖、您却收不到5G，告诉我“这里没有信号”，我帮您登记投诉。"
        if language == "zh"
        else "If it is listed as covered but you get no 5G there, tell me “no signal here” and I'll file a complaint."
    )
    return "\n".join(lines)


def handset_text(answer: HandsetCompatibility, language: str) -> str:
    """Which operators' 5G the phone works on, missing bands, SA and VoNR, and what that means."""
    handset = answer.handset
    assert handset is not None
    name = handset.name_zh if language == "zh" and handset.name_zh else f"{handset.brand} {handset.model}"
    if handset.nr_bands is None:
        # Band lists belong to the maker's specification and the radio type approval (CMIIT ID), not the
        # network access licence; the operator can check a model against its network.
        operators = [item.operator for item in answer.operators]
        hotlines = "、".join(f"{op.name_zh}{op.hotline}" for op in operators)
        hotlines_en = ", ".join(f"{op.name_en} {op.hotline}" for op in operators)
        body = (
            f"{name}：我们暂无这款手机经核实的5G频段数据，不确定它能否用5G，所以不作判断。"
            f"请以手机厂商公布的规格为准（频段也列在其无线电发射设备型号核准信息中），或咨询您的运营商：{hotlines}。"
            if language == "zh"
            else f"{name}: we have no verified 5G band data for this phone, so I'm not sure and won't guess. "
            "The maker's published specification is what counts (the bands are also in its radio type approval, "
            f"CMIIT ID), or ask your operator: {hotlines_en}."
        )
        return body + ("\n" + _pick(SAMPLE_NOTE, language) if handset.sample else "")
    lines = [f"📱 {name} — {'5G频段' if language == 'zh' else '5G bands'}: {', '.join(handset.nr_bands) or '-'}"]
    for item in answer.operators:
        op = item.operator.name(language)
        if item.band_support == "full":
            verdict = "支持其主要5G频段" if language == "zh" else "supports its main 5G bands"
        elif item.band_support == "partial":
            missing = ", ".join(item.missing_bands)
            verdict = (
                f"可用部分5G频段，缺少 {missing}（这些频段覆盖的地方可能只有4G）"
                if language == "zh"
                else f"works on some of its 5G bands, lacks {missing} (where only those bands are used you may get 4G)"
            )
        else:
            verdict = "不支持其5G频段（只能用4G）" if language == "zh" else "none of its 5G bands (4G only)"
        lines.append(f"· {op}: {verdict}")
    lines.append(
        f"SA: {_yes_no(handset.sa, language)}; VoNR: {_yes_no(handset.vonr, language)}"
        + (
            "（不支持VoNR时，通话期间会回落到4G VoLTE）"
            if language == "zh"
            else " (without VoNR, calls fall back to 4G VoLTE and the icon shows 4G during a call)"
        )
    )
    if handset.sample:
        lines.append(_pick(SAMPLE_NOTE, language))
    return "\n".join(lines)


def plan_text(plan: PlanTerms, language: str) -> str:
    """A plan's terms in plain words."""
    zh = language == "zh"
    termination = _pick(plan.termination_text(), language)
    throttle = plan.throttle_text()
    contract = (
        (f"合约期{plan.contract_months}个月" if plan.contract_months else "无合约期")
        if zh
        else (f"{plan.contract_months}-month contract" if plan.contract_months else "no contract period")
    )
    title, operator, generation = plan.title(language), plan.operator.name(language), plan.generation.upper()
    if zh:
        head = f"📄 {title}（{operator}）"
        terms = (
            f"月费 ¥{plan.monthly_fee_yuan}，流量 {plan.data_gb}GB，通话 {plan.voice_minutes} 分钟，"
            f"{generation}，{contract}。"
        )
    else:
        head = f"📄 {title} ({operator})"
        terms = (
            f"¥{plan.monthly_fee_yuan} a month, {plan.data_gb} GB data, {plan.voice_minutes} minutes, "
            f"{generation}, {contract}."
        )
    lines = [head, terms, termination]
    if throttle:
        lines.append(_pick(throttle, language))
    if plan.sample:
        lines.append(_pick(SAMPLE_NOTE, language))
    return "\n".join(lines)


def comparison_text(comparison: PlanComparison, language: str) -> str:
    zh = language == "zh"
    a, b = comparison.a.title(language), comparison.b.title(language)
    lines = [f"{'对比' if zh else 'Compare'}: {a} | {b}"]
    for item in comparison.fields:
        label = item.label_zh if zh else item.label_en
        mark = " ◀" if item.differs else ""
        lines.append(f"· {label}: {item.a} | {item.b}{mark}")
    if comparison.a.sample or comparison.b.sample:
        lines.append(_pick(SAMPLE_NOTE, language))
    return "\n".join(lines)


def termination_text(estimate: TerminationEstimate, language: str) -> str:
    zh = language == "zh"
    head = (
        f"{estimate.plan.title(language)}：剩余{estimate.remaining_months}个月提前解约，"
        f"估算约 ¥{estimate.amount_yuan}。"
        if zh
        else f"{estimate.plan.title(language)}: leaving with {estimate.remaining_months} months left costs about "
        f"¥{estimate.amount_yuan}."
    )
    rule = estimate.rule_zh if zh else estimate.rule_en
    calc = estimate.calculation_zh if zh else estimate.calculation_en
    note = estimate.authoritative_zh if zh else estimate.authoritative_en
    return "\n".join([head, rule, calc, note] + ([_pick(SAMPLE_NOTE, language)] if estimate.plan.sample else []))


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _plan_line(plan: PlanTerms, language: str) -> str:
    contract = (
        (f"合约{plan.contract_months}个月" if plan.contract_months else "无合约")
        if language == "zh"
        else (f"{plan.contract_months}-month contract" if plan.contract_months else "no contract")
    )
    if language == "zh":
        return (
            f"· {plan.title(language)}（{plan.operator.name(language)}）：¥{plan.monthly_fee_yuan}/月，"
            f"{_number(plan.data_gb)}GB，{plan.generation.upper()}，{contract}"
        )
    return (
        f"· {plan.title(language)} ({plan.operator.name(language)}): ¥{plan.monthly_fee_yuan}/month, "
        f"{_number(plan.data_gb)} GB, {plan.generation.upper()}, {contract}"
    )


def _criteria(query: PlanQuery, language: str) -> str:
    zh = language == "zh"
    parts = []
    if query.generation:
        parts.append(query.generation.upper())
    if query.budget is not None:
        parts.append(f"月费≤¥{_number(query.budget)}" if zh else f"≤ ¥{_number(query.budget)} a month")
    if query.min_data_gb is not None:
        sign = ">" if query.more_data else "≥"
        parts.append(f"流量{sign}{_number(query.min_data_gb)}GB" if zh else f"{sign} {_number(query.min_data_gb)} GB")
    if query.no_contract:
        parts.append("无合约" if zh else "no contract")
    if query.max_contract_months is not None:
        months = query.max_contract_months
        parts.append(f"合约≤{months}个月" if zh else f"contract ≤ {months} months")
    return ("、" if zh else ", ").join(parts)


def finder_text(result: FinderResult, language: str) -> str:
    """The finder's answer: the list, the best fit with alternatives, or that nothing fits."""
    zh = language == "zh"
    criteria = _criteria(result.query, language)
    if result.kind == "none":
        if result.query.price is not None:
            price = _number(result.query.price)
            head = f"没有找到月费 ¥{price} 的套餐。" if zh else f"There is no plan at ¥{price} a month."
        else:
            head = (
                (f"没有找到符合条件（{criteria}）的套餐。" if zh else f"No plan fits ({criteria}).")
                if criteria
                else ("没有找到符合条件的套餐。" if zh else "No plan fits.")
            )
        where = (
            "可以放宽条件再问我，或在运营商官方App、营业厅查看全部套餐。"
            if zh
            else "Ask me again with looser limits, or see all plans in the operator's official app or shop."
        )
        return f"{head}{where}" if zh else f"{head} {where}"
    if result.kind == "list":
        head = f"目前可查的{criteria}套餐：" if zh else f"The {criteria + ' ' if criteria else ''}plans I can look up:"
        lines = [head, *(_plan_line(plan, language) for plan in result.plans)]
        lines.append(
            "想看某个套餐的详细条款，告诉我它的月费即可（如“199的套餐”）。"
            if zh
            else "For a plan's full terms, tell me its price (e.g. “the 199 yuan plan”)."
        )
    else:
        best = result.plans[0]
        fit = f"（{criteria}）" if zh and criteria else f" ({criteria})" if criteria else ""
        if result.query.sort == "most_data":
            head = f"流量最多的{fit}是：" if zh else f"The one with the most data{fit}:"
        elif result.query.budget is not None and result.query.min_data_gb is None and not result.query.sort:
            head = f"预算内流量最多的{fit}是：" if zh else f"The most data within your budget{fit}:"
        else:
            head = f"最便宜的合适套餐{fit}是：" if zh else f"The cheapest plan that fits{fit}:"
        lines = [head, plan_text(best, language).replace(_pick(SAMPLE_NOTE, language), "").strip()]
        if others := result.plans[1:]:
            lines.append("其他选择：" if zh else "Other options:")
            lines.extend(_plan_line(plan, language) for plan in others)
    if result.sample:
        lines.append(_pick(SAMPLE_NOTE, language))
    return "\n".join(lines)
