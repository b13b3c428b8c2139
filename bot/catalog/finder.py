"""The plan finder: which plans there are, the cheapest or best-fitting one for what the user
states (budget, data, 5G or not, contract), and a plan named by its monthly price.

`parse_plan_query` reads what people type ("给我推荐个便宜点的5G套餐", "199的套餐",
"the 128 yuan plan", "under 100 a month with at least 20GB", "and with more data?");
`find_plans` applies it to the catalogue's plans. Both are pure: the action supplies the
plans of the configured operator(s) and the plan shown last, for follow-ups.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from bot.catalog.lookups import PlanTerms

Sort = Literal["cheapest", "most_data"]
Kind = Literal["list", "best", "by_price", "none"]

NUMBER = r"(\d{1,4}(?:\.\d{1,2})?)"
# A budget: "100以内", "不超过150", "150块以下", "under 100", "less than 80 a month", "budget of 120".
BUDGET = re.compile(
    rf"(?:(?:不超过|不高于|最多|最高|预算|低于|少于|小于|under|below|less than|at most|max(?:imum)?|up to|no more than|"
    rf"budget(?: of| is)?|within|cheaper than)\s*(?:¥|￥|rmb)?\s*{NUMBER})|"
    rf"(?:{NUMBER}\s*(?:元|块|块钱|yuan|rmb)?\s*(?:以内|以下|之内|内|左右|上下|or less|or under|max|tops))",
    re.IGNORECASE,
)
DATA = re.compile(rf"{NUMBER}\s*(g|gb|个g|g流量|吉)(?![a-z])", re.IGNORECASE)
GENERATIONS = {Decimal(2), Decimal(3), Decimal(4), Decimal(5), Decimal(6)}
# A plan named by its price: "199的套餐", "199元套餐", "那129的呢", "the 128 yuan plan", "¥99 plan".
PRICE = re.compile(
    rf"(?:^|[^\d.])(?:¥|￥)?{NUMBER}\s*(?:元|块|块钱|yuan|rmb|¥)?\s*(?:的|档|/月|一个月|a month|per month|包月)?\s*"
    rf"(?:5g|4g)?\s*(?:套餐|合约|的|plan|package|tariff|呢|one|$)",
    re.IGNORECASE,
)
CHEAPEST = re.compile(r"最便宜|便宜|实惠|划算|省钱|最低|cheap|lowest|least expensive|affordable", re.IGNORECASE)
MOST_DATA = re.compile(r"流量最(多|大)|最多流量|大流量|most data|lots of data|biggest data|largest data", re.IGNORECASE)
MORE_DATA_FOLLOW_UP = re.compile(r"更多流量|流量更多|流量多一?点|多点流量|more data|bigger|with more", re.IGNORECASE)
LIST = re.compile(
    r"哪些|有什么|有啥|都有|所有|全部|列表|列出|介绍|推荐|which plans|what plans|list|all (the |your )?plans|"
    r"any plans|options|recommend|suggest|show me",
    re.IGNORECASE,
)
NO_CONTRACT = re.compile(
    r"无合约|不要合约|没有合约|不签合约|不绑定|不用签|免合约|no contract|without (a )?contract|"
    r"no commitment|month[- ]to[- ]month|不想签约",
    re.IGNORECASE,
)
CONTRACT_MONTHS = re.compile(
    r"(\d{1,2}|[一两二三四五六七八九十]{1,2})\s*(?:个月|months?)\s*(?:以内|以下|内|or less|max|合约)?", re.IGNORECASE
)
MAX_CONTRACT = re.compile(
    r"(?:合约|contract|合约期)[^\d]{0,6}(?:不超过|最多|at most|up to|no longer than|under)\s*"
    r"(\d{1,2})|(\d{1,2})\s*(?:个月|months?)\s*(?:以内|以下|内|or less|max)",
    re.IGNORECASE,
)
FIVE_G = re.compile(r"5g", re.IGNORECASE)
FOUR_G = re.compile(r"4g", re.IGNORECASE)
NOT_5G = re.compile(r"不要5g|不需要5g|不用5g|非5g|no 5g|don'?t need 5g|not 5g|without 5g", re.IGNORECASE)


@dataclass(frozen=True)
class PlanQuery:
    price: Decimal | None = None
    budget: Decimal | None = None
    min_data_gb: Decimal | None = None
    generation: str | None = None
    no_contract: bool = False
    max_contract_months: int | None = None
    sort: Sort | None = None
    list_all: bool = False
    more_data: bool = False

    @property
    def has_criteria(self) -> bool:
        return any(
            (
                self.price is not None,
                self.budget is not None,
                self.min_data_gb is not None,
                self.generation,
                self.no_contract,
                self.max_contract_months is not None,
                self.sort,
                self.list_all,
                self.more_data,
            )
        )


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_plan_query(text: str) -> PlanQuery:
    """What a plan question asks for, from the words people type."""
    text = _clean(text)
    if not text or text.startswith("/"):
        return PlanQuery()
    rest = text
    max_contract = None
    if match := MAX_CONTRACT.search(rest):
        max_contract = int(match.group(1) or match.group(2))
        rest = rest[: match.start()] + " " + rest[match.end() :]
    rest = CONTRACT_MONTHS.sub(" ", rest)
    budget = None
    if match := BUDGET.search(rest):
        budget = Decimal(match.group(1) or match.group(2))
        rest = rest[: match.start()] + " " + rest[match.end() :]
    min_data = None
    for match in DATA.finditer(rest):
        value = Decimal(match.group(1))
        if match.group(2).lower() == "g" and value in GENERATIONS:
            continue  # "5G" is the network, not 5 GB
        min_data = value
        rest = rest[: match.start()] + " " + rest[match.end() :]
        break
    price = None
    for match in PRICE.finditer(rest.replace("5G", " 5g").replace("4G", " 4g")):
        value = Decimal(match.group(1))
        if value >= 10:  # "5G套餐" is not a 5-yuan plan
            price = value
            break
    generation = None
    if NOT_5G.search(text) or (FOUR_G.search(text) and not FIVE_G.search(text)):
        generation = "4g"
    elif FIVE_G.search(text):
        generation = "5g"
    more_data = bool(MORE_DATA_FOLLOW_UP.search(text))
    sort: Sort | None = "most_data" if MOST_DATA.search(text) else "cheapest" if CHEAPEST.search(text) else None
    return PlanQuery(
        price=price,
        budget=budget,
        min_data_gb=min_data,
        generation=generation,
        no_contract=bool(NO_CONTRACT.search(text)),
        max_contract_months=max_contract,
        sort=sort,
        list_all=bool(LIST.search(text)),
        more_data=more_data,
    )


def has_plan_criteria(text: str) -> bool:
    """The question can be answered from the catalogue without the name of a plan."""
    return parse_plan_query(text).has_criteria


@dataclass(frozen=True)
class FinderResult:
    kind: Kind
    plans: tuple[PlanTerms, ...]
    query: PlanQuery

    @property
    def sample(self) -> bool:
        return any(plan.sample for plan in self.plans)


def _fits(plan: PlanTerms, query: PlanQuery) -> bool:
    if query.budget is not None and plan.monthly_fee_yuan > query.budget:
        return False
    if query.min_data_gb is not None and plan.data_gb < query.min_data_gb:
        return False
    if query.more_data and query.min_data_gb is not None and plan.data_gb <= query.min_data_gb:
        return False  # a follow-up "with more data": strictly more than the plan shown
    if query.generation and plan.generation != query.generation:
        return False
    if query.no_contract and plan.contract_months:
        return False
    return not (query.max_contract_months is not None and plan.contract_months > query.max_contract_months)


def find_plans(plans: Sequence[PlanTerms], query: PlanQuery, previous: PlanTerms | None = None) -> FinderResult:
    """The plans that answer the query, best first; `previous` is the plan shown last (follow-ups)."""
    if query.price is not None and query.budget is None:
        priced = tuple(p for p in plans if p.monthly_fee_yuan == query.price and _fits(p, replace(query, price=None)))
        return FinderResult("by_price" if priced else "none", priced, query)
    if query.more_data and previous is not None:
        query = replace(
            query,
            min_data_gb=max(query.min_data_gb or Decimal(0), previous.data_gb),
            generation=query.generation or previous.generation,
            sort=query.sort or "cheapest",
        )
    fitting = sorted((p for p in plans if _fits(p, query)), key=lambda p: (p.monthly_fee_yuan, -p.data_gb))
    if not fitting:
        return FinderResult("none", (), query)
    narrowed = any((query.budget, query.min_data_gb, query.no_contract, query.max_contract_months, query.more_data))
    if query.sort == "most_data" or (query.budget is not None and query.min_data_gb is None and not query.sort):
        fitting.sort(key=lambda p: (-p.data_gb, p.monthly_fee_yuan))
    if query.list_all and not query.sort and not narrowed:
        return FinderResult("list", tuple(fitting), query)
    return FinderResult("best", tuple(fitting[:3]), query)
