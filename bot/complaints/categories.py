"""The fixed complaint category tree, its mapping to the regulator's classes, and keyword suggestions.

MIIT's complaint statistics group telecom complaints into three classes (network
quality, billing disputes, user service); every category key maps to exactly one.
The keys are a stable interface shared with the bot's domain and the agent desk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.complaints.errors import UnknownCategory
from bot.messages import both


@dataclass(frozen=True)
class Labels:
    zh: str
    en: str

    def in_(self, language: str) -> str:
        return self.en if language == "en" else self.zh


class RegulatoryClass(str, Enum):
    """The regulator's three statistical classes of telecom complaints."""

    NETWORK_QUALITY = "network_quality"
    BILLING_DISPUTE = "billing_dispute"
    USER_SERVICE = "user_service"

    @property
    def labels(self) -> Labels:
        return CLASS_LABELS[self]


CLASS_LABELS = {cls: Labels(*both(f"regulatory_class.{cls.value}")) for cls in RegulatoryClass}


@dataclass(frozen=True)
class Category:
    key: str
    labels: Labels
    regulatory_class: RegulatoryClass


def _category(key: str, regulatory_class: RegulatoryClass) -> tuple[str, Category]:
    """A category named by its labels in the message catalogue (`category.<key>`)."""
    return key, Category(key, Labels(*both(f"category.{key}")), regulatory_class)


_N, _B, _U = RegulatoryClass.NETWORK_QUALITY, RegulatoryClass.BILLING_DISPUTE, RegulatoryClass.USER_SERVICE
CATEGORIES: dict[str, Category] = dict(
    [
        _category("coverage_signal", _N),
        _category("speed", _N),
        _category("handset", _U),
        _category("plan_change", _U),
        _category("contract_termination", _U),
        _category("unauthorized_change", _B),
        _category("misleading_marketing", _U),
        _category("billing", _B),
        _category("number_portability", _U),
        _category("other", _U),
    ]
)


def category_class(key: str) -> RegulatoryClass:
    """The regulator's class for a category key; UnknownCategory for a key outside the tree."""
    try:
        return CATEGORIES[key].regulatory_class
    except KeyError:
        raise UnknownCategory(key) from None


# Keywords per category, most specific categories first: on a tie in the number of
# matches the earlier row wins ("没经过同意就扣了话费" is an unauthorised change, not billing).
# Chinese keywords match as substrings; English ones as whole words.
SUGGESTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "unauthorized_change",
        ("没经过同意", "未经同意", "没经过我同意", "擅自开通", "擅自", "私自开通", "被开通", "莫名其妙开通"),
        ("without consent", "without my consent", "without permission", "unauthorized", "unauthorised", "signed me up"),
    ),
    (
        "misleading_marketing",
        ("虚假宣传", "承诺", "误导", "骗"),
        ("misleading", "false advertising", "promised", "mis-sold", "lied"),
    ),
    (
        "contract_termination",
        ("合约", "违约金", "解约", "提前解除"),
        ("early termination", "termination fee", "contract", "cancel the contract"),
    ),
    (
        "number_portability",
        ("携号转网", "携转", "转网"),
        ("port", "porting", "number portability", "keep my number", "switch operator"),
    ),
    (
        "plan_change",
        ("改套餐", "换套餐", "变更套餐", "降档", "降套餐", "升档"),
        ("downgrade", "change plan", "change my plan", "switch plan", "switch my plan"),
    ),
    (
        "billing",
        ("扣费", "话费", "账单", "乱收费", "多扣", "收费"),
        ("charge", "charged", "charges", "bill", "billed", "billing", "fee", "overcharged", "refund"),
    ),
    (
        "coverage_signal",
        ("信号", "覆盖", "没网", "无服务", "掉线"),
        ("no signal", "signal", "coverage", "no service", "dead zone", "reception"),
    ),
    (
        "speed",
        ("网速", "慢", "卡顿", "限速"),
        ("slow", "speed", "throttled", "throttling", "lag", "laggy"),
    ),
    (
        "handset",
        ("手机", "机型", "终端", "发热", "耗电"),
        ("handset", "phone model", "phone", "device", "battery", "overheats"),
    ),
)


def _english_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")\b")


_ENGLISH = {key: _english_pattern(words) for key, _zh, words in SUGGESTIONS}


def _scores(text: str, language: str) -> list[tuple[int, str]]:
    if language == "en":
        return [(len(_ENGLISH[key].findall(text)), key) for key, _zh, _en in SUGGESTIONS]
    return [(sum(word in text for word in words), key) for key, words, _en in SUGGESTIONS]


def suggest_category(text: str, language: str) -> str | None:
    """A category key proposed from the user's own words, or None when no keyword matches.

    The user's language is tried first, then the other (users mix "5G" and English words
    into Chinese); the category with most keyword hits wins, ties going to the more specific.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    other = "zh" if language == "en" else "en"
    for lang in (language, other):
        best = max(_scores(text, lang), key=lambda scored: scored[0])  # max keeps the first on ties
        if best[0] > 0:
            return best[1]
    return None
