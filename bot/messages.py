"""The words the application builds in code, in Chinese and English: one catalogue keyed by message id.

Words the bot utters whole are Rasa responses in `domain/*.yml`; the text assembled in code
(look-up answers, the values an action fills into a response, category and status labels,
the desk's notifications to support staff) is here, so each wording exists once and in both
languages. tests/unit/test_responses_are_bilingual.py fails when an entry lacks zh or en, has
an empty text, or its two texts name different {placeholders}.

    say("plan.throttle", "en", gb="40", mbps="1")   # "After 40 GB in a month, speed drops to 1 Mbps."
    both("complaint_status.open")                    # ("待处理", "open, waiting for an agent")

A value given as a (zh, en) pair is put in each language's text in its own language:
`both("coverage.meaning.unknown", operator=(op.name_zh, op.name_en), hotline=op.hotline)`.

Standard library only: the domain (bot.complaints, bot.catalog), the actions and the desk
all read it.
"""

from __future__ import annotations

from typing import Any, Literal

Language = Literal["zh", "en"]

MESSAGES: dict[str, dict[Language, str]] = {
    # -- complaint categories and the regulator's classes (buttons, summaries, status, notifications)
    "category.coverage_signal": {"zh": "信号与覆盖", "en": "Signal and coverage"},
    "category.speed": {"zh": "网速", "en": "Data speed"},
    "category.handset": {"zh": "手机终端", "en": "Handset"},
    "category.plan_change": {"zh": "套餐变更", "en": "Changing plans"},
    "category.contract_termination": {"zh": "合约解除", "en": "Ending a contract"},
    "category.unauthorized_change": {"zh": "未经同意开通或变更业务", "en": "Services changed without consent"},
    "category.misleading_marketing": {"zh": "虚假宣传", "en": "Misleading marketing"},
    "category.billing": {"zh": "收费与账单", "en": "Charges and bills"},
    "category.number_portability": {"zh": "携号转网", "en": "Number portability"},
    "category.other": {"zh": "其他", "en": "Other"},
    "regulatory_class.network_quality": {"zh": "网络质量", "en": "Network quality"},
    "regulatory_class.billing_dispute": {"zh": "收费争议", "en": "Billing dispute"},
    "regulatory_class.user_service": {"zh": "用户服务", "en": "User service"},
    # -- a complaint's status as the user reads it (status look-up, personal data)
    "complaint_status.open": {"zh": "待处理", "en": "open, waiting for an agent"},
    "complaint_status.in_progress": {"zh": "处理中", "en": "in progress"},
    "complaint_status.resolved": {"zh": "已解决", "en": "resolved"},
    "complaint_status.closed": {"zh": "已关闭", "en": "closed"},
    "status.note_to_user": {"zh": "客服留言：{note}", "en": "Message from the agent: {note}"},
    "status.resolution": {"zh": "处理结果：{resolution}", "en": "Resolution: {resolution}"},
    # -- the complaint form's summary before confirming (one line each, after the response's own lines)
    "complaint.summary.place": {"zh": "地点：{place}", "en": "Place: {place}"},
    "complaint.summary.handset": {"zh": "手机型号：{handset}", "en": "Handset: {handset}"},
    # -- personal data: when the complaint's personal data is erased
    "privacy.erased_on": {"zh": "{day}", "en": "on {day}"},
    "privacy.erased_after_closing": {"zh": "结案{days}天后", "en": "{days} days after the complaint is closed"},
    # -- who runs a deployment that is no operator's own (the FAQ and the complaint form name it)
    "deployment.neutral_handler": {"zh": "本服务的运营方", "en": "the organisation running this service"},
    # -- look-ups: shared
    "lookup.sample_note": {
        "zh": "（以上为示例数据，仅供演示，以运营商公布为准。）",
        "en": "(Sample data for demonstration; the operator's own information prevails.)",
    },
    "lookup.no_data": {"zh": "暂无数据", "en": "unknown"},
    "lookup.supported": {"zh": "支持", "en": "yes"},
    "lookup.not_supported": {"zh": "不支持", "en": "no"},
    # -- coverage
    "coverage.status.sa": {"zh": "5G（SA独立组网）", "en": "5G (SA)"},
    "coverage.status.nsa": {"zh": "5G（NSA非独立组网）", "en": "5G (NSA)"},
    "coverage.status.planned": {"zh": "计划建设", "en": "planned"},
    "coverage.status.none": {"zh": "暂无5G", "en": "no 5G"},
    "coverage.status.unknown": {"zh": "暂无数据", "en": "no data"},
    "coverage.meaning.sa": {
        "zh": "已覆盖 5G 独立组网（SA）：手机需支持 SA 和该运营商的 5G 频段才能使用；"
        "只支持 NSA 的手机在这里用不上 5G。",
        "en": "5G standalone (SA) coverage: a phone needs SA and the operator's 5G bands to use it; "
        "an NSA-only phone gets no 5G here.",
    },
    "coverage.meaning.nsa": {
        "zh": "5G 非独立组网（NSA）：5G 依托 4G 锚点，只支持 NSA 的手机也能用；"
        "需要 SA 的功能（如 VoNR 通话）暂不可用。",
        "en": "5G non-standalone (NSA): 5G runs on a 4G anchor. NSA-only phones work; "
        "features that need SA (such as VoNR calls) do not.",
    },
    "coverage.meaning.planned": {
        "zh": "暂未开通 5G，{operator}计划中（{when}）；该日期是运营商的计划，并非承诺。",
        "en": "No 5G yet; {operator} plans it ({when}). The date is the operator's plan, not a promise.",
    },
    "coverage.planned_on": {"zh": "预计 {date} 前后开通", "en": "expected around {date}"},
    "coverage.planned_undated": {"zh": "开通时间未定", "en": "no date set"},
    "coverage.meaning.none": {
        "zh": "暂无 5G 覆盖；4G 套餐仍可正常办理和使用。",
        "en": "No 5G coverage here; 4G plans remain available.",
    },
    "coverage.meaning.unknown": {
        "zh": "目录中暂无{operator}在此地的数据，请拨打 {hotline} 查询。",
        "en": "No {operator} data for this place yet; call {hotline} to check.",
    },
    "coverage.complain_if_wrong": {
        "zh": "如果这里显示有覆盖、您却收不到5G，告诉我“这里没有信号”，我帮您登记投诉。",
        "en": "If it is listed as covered but you get no 5G there, tell me “no signal here” and I'll file a complaint.",
    },
    # -- handsets
    "handset.no_band_data": {
        # Band lists belong to the maker's specification and the radio type approval (CMIIT ID), not the
        # network access licence; the operator can check a model against its network.
        "zh": "{name}：我们暂无这款手机经核实的5G频段数据，不确定它能否用5G，所以不作判断。"
        "请以手机厂商公布的规格为准（频段也列在其无线电发射设备型号核准信息中），或咨询您的运营商：{hotlines}。",
        "en": "{name}: we have no verified 5G band data for this phone, so I'm not sure and won't guess. "
        "The maker's published specification is what counts (the bands are also in its radio type approval, "
        "CMIIT ID), or ask your operator: {hotlines}.",
    },
    "list.separator": {"zh": "、", "en": ", "},
    "operator.hotline": {"zh": "{operator}{hotline}", "en": "{operator} {hotline}"},
    "handset.bands": {"zh": "📱 {name} — 5G频段: {bands}", "en": "📱 {name} — 5G bands: {bands}"},
    "handset.full": {"zh": "支持其主要5G频段", "en": "supports its main 5G bands"},
    "handset.partial": {
        "zh": "可用部分5G频段，缺少 {missing}（这些频段覆盖的地方可能只有4G）",
        "en": "works on some of its 5G bands, lacks {missing} (where only those bands are used you may get 4G)",
    },
    "handset.none": {"zh": "不支持其5G频段（只能用4G）", "en": "none of its 5G bands (4G only)"},
    "handset.sa_vonr": {
        "zh": "SA: {sa}; VoNR: {vonr}（不支持VoNR时，通话期间会回落到4G VoLTE）",
        "en": "SA: {sa}; VoNR: {vonr} (without VoNR, calls fall back to 4G VoLTE and the icon shows 4G during a call)",
    },
    # -- plans
    "plan.head": {"zh": "📄 {title}（{operator}）", "en": "📄 {title} ({operator})"},
    "plan.terms": {
        "zh": "月费 ¥{fee}，流量 {data}GB，通话 {minutes} 分钟，{generation}，{contract}。",
        "en": "¥{fee} a month, {data} GB data, {minutes} minutes, {generation}, {contract}.",
    },
    "plan.contract": {"zh": "合约期{months}个月", "en": "{months}-month contract"},
    "plan.no_contract": {"zh": "无合约期", "en": "no contract period"},
    "plan.line": {
        "zh": "· {title}（{operator}）：¥{fee}/月，{data}GB，{generation}，{contract}",
        "en": "· {title} ({operator}): ¥{fee}/month, {data} GB, {generation}, {contract}",
    },
    "plan.line.contract": {"zh": "合约{months}个月", "en": "{months}-month contract"},
    "plan.line.no_contract": {"zh": "无合约", "en": "no contract"},
    "plan.throttle": {
        "zh": "当月高速流量 {gb}GB 用完后限速至 {mbps}Mbps。",
        "en": "After {gb} GB in a month, speed drops to {mbps} Mbps.",
    },
    # -- comparing two plans
    "comparison.head": {"zh": "对比: {a} | {b}", "en": "Compare: {a} | {b}"},
    "comparison.operator": {"zh": "运营商", "en": "Operator"},
    "comparison.monthly_fee_yuan": {"zh": "月费（元）", "en": "Monthly fee (yuan)"},
    "comparison.data_gb": {"zh": "流量（GB）", "en": "Data (GB)"},
    "comparison.voice_minutes": {"zh": "通话（分钟）", "en": "Calls (minutes)"},
    "comparison.generation": {"zh": "网络", "en": "Network"},
    "comparison.contract_months": {"zh": "合约期（月）", "en": "Contract (months)"},
    "comparison.early_termination_rule": {"zh": "提前解约规则", "en": "Early-termination rule"},
    "comparison.throttle_after_gb": {"zh": "限速阈值（GB）", "en": "Throttled after (GB)"},
    "comparison.throttle_speed_mbps": {"zh": "限速后速率（Mbps）", "en": "Throttled speed (Mbps)"},
    # -- leaving a contract early: the rule, the working, the estimate
    "termination.head": {
        "zh": "{plan}：剩余{months}个月提前解约，估算约 ¥{amount}。",
        "en": "{plan}: leaving with {months} months left costs about ¥{amount}.",
    },
    "termination.rule.no_contract": {
        "zh": "无合约期，提前解约不产生违约费用。",
        "en": "No contract period: no early-termination charge.",
    },
    "termination.rule.refund_benefit_pro_rata": {
        "zh": "合约期 {months} 个月；提前解约需按剩余月数比例退还已享优惠（共 {benefit} 元）。",
        "en": "{months}-month contract; leaving early means paying back the benefit "
        "(¥{benefit} in all) in proportion to the months left.",
    },
    "termination.rule.fixed_fee": {
        "zh": "合约期 {months} 个月；提前解约需支付固定违约金 {fee} 元。",
        "en": "{months}-month contract; leaving early costs a fixed fee of ¥{fee}.",
    },
    "termination.rule.remaining_fees_percent": {
        "zh": "合约期 {months} 个月；提前解约需支付剩余月费总额的 {percent}%。",
        "en": "{months}-month contract; leaving early costs {percent}% of the remaining monthly fees.",
    },
    "termination.rule.none": {
        "zh": "合约期 {months} 个月；提前解约无违约费用。",
        "en": "{months}-month contract; no early-termination charge.",
    },
    "termination.nothing_to_pay": {"zh": "无需支付违约费用：0.00 元。", "en": "Nothing to pay: ¥0.00."},
    "termination.working.refund_benefit_pro_rata": {
        "zh": "{benefit} 元 × {remaining}/{months} = {amount} 元",
        "en": "¥{benefit} × {remaining}/{months} = ¥{amount}",
    },
    "termination.working.fixed_fee": {"zh": "固定违约金 {amount} 元", "en": "fixed fee ¥{amount}"},
    "termination.working.remaining_fees_percent": {
        "zh": "{fee} 元 × {remaining} 个月 × {percent}% = {amount} 元",
        "en": "¥{fee} × {remaining} months × {percent}% = ¥{amount}",
    },
    "termination.bill_is_authoritative": {
        "zh": "以上为估算，实际金额以运营商账单和您签署的协议为准。",
        "en": "This is an estimate: the operator's bill and the agreement you signed are authoritative.",
    },
    # -- the plan finder
    "finder.criteria.budget": {"zh": "月费≤¥{budget}", "en": "≤ ¥{budget} a month"},
    "finder.criteria.data": {"zh": "流量{sign}{data}GB", "en": "{sign} {data} GB"},
    "finder.criteria.no_contract": {"zh": "无合约", "en": "no contract"},
    "finder.criteria.contract": {"zh": "合约≤{months}个月", "en": "contract ≤ {months} months"},
    "finder.criteria.in_brackets": {"zh": "（{criteria}）", "en": " ({criteria})"},
    "finder.none.at_price": {"zh": "没有找到月费 ¥{price} 的套餐。", "en": "There is no plan at ¥{price} a month."},
    "finder.none.with_criteria": {"zh": "没有找到符合条件（{criteria}）的套餐。", "en": "No plan fits ({criteria})."},
    "finder.none": {"zh": "没有找到符合条件的套餐。", "en": "No plan fits."},
    "finder.none.look_elsewhere": {
        "zh": "{head}可以放宽条件再问我，或在运营商官方App、营业厅查看全部套餐。",
        "en": "{head} Ask me again with looser limits, or see all plans in the operator's official app or shop.",
    },
    "finder.list": {"zh": "目前可查的套餐：", "en": "The plans I can look up:"},
    "finder.list.with_criteria": {"zh": "目前可查的{criteria}套餐：", "en": "The {criteria} plans I can look up:"},
    "finder.list.ask_terms": {
        "zh": "想看某个套餐的详细条款，告诉我它的月费即可（如“199的套餐”）。",
        "en": "For a plan's full terms, tell me its price (e.g. “the 199 yuan plan”).",
    },
    "finder.best.most_data": {"zh": "流量最多的{fit}是：", "en": "The one with the most data{fit}:"},
    "finder.best.most_data_in_budget": {
        "zh": "预算内流量最多的{fit}是：",
        "en": "The most data within your budget{fit}:",
    },
    "finder.best.cheapest": {"zh": "最便宜的合适套餐{fit}是：", "en": "The cheapest plan that fits{fit}:"},
    "finder.other_options": {"zh": "其他选择：", "en": "Other options:"},
    # -- the desk: notifications to support staff (both languages in one message) and erased texts
    "notification.created": {"zh": "新投诉", "en": "New complaint"},
    "notification.overdue": {"zh": "投诉超期未答复", "en": "Overdue complaint"},
    "notification.category": {"zh": "类别", "en": "Category"},
    "notification.operator": {"zh": "运营商", "en": "Operator"},
    "notification.place": {"zh": "地区", "en": "Place"},
    "notification.phone": {"zh": "联系电话", "en": "Phone"},
    "notification.reply_by": {"zh": "答复期限", "en": "Reply by"},
    "notification.beijing_time": {"zh": "北京时间", "en": "Beijing time"},
    "notification.description": {"zh": "内容", "en": "Description"},
    "desk.erased": {"zh": "已删除", "en": "erased"},
}


def say(message_id: str, language: str, **values: Any) -> str:
    """The message in `language` (Chinese unless "en"), its {placeholders} filled from `values`.

    Raises:
        KeyError: no message has that id, or a placeholder has no value.
    """
    lang: Language = "en" if language == "en" else "zh"
    return MESSAGES[message_id][lang].format(**{name: _in(value, lang) for name, value in values.items()})


def both(message_id: str, **values: Any) -> tuple[str, str]:
    """The message in Chinese and in English."""
    return say(message_id, "zh", **values), say(message_id, "en", **values)


def side_by_side(message_id: str) -> str:
    """ "中文 English", for texts read by people of either language (the desk's notifications)."""
    zh, en = both(message_id)
    return f"{zh} {en}"


def _in(value: Any, language: Language) -> Any:
    if isinstance(value, tuple) and len(value) == 2:
        return value[1] if language == "en" else value[0]
    return value
