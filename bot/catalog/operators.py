"""The four mainland operators: names, hotlines and the 5G (NR) bands they use.

Bands as listed in /work/shared/domain/5g-consumer-facts.md ("Networks"):
China Mobile n41 (2.6 GHz), n79 (4.9 GHz), n28 (700 MHz, co-built with Broadnet);
China Telecom n78 (3.5 GHz), n1 (2.1 GHz), with n5 (800 MHz) refarming approved in 2023;
China Unicom n78, n1, with n8 (900 MHz) approved in 2022 — Telecom and Unicom share
one radio network; China Broadnet n28 and n79 of its own, and its users rely on China Mobile's
2.6 GHz (n41) through the shared network: a phone with n28 + n41 works fully for Broadnet,
so for Broadnet n28 and n41 are the main bands and its own n79 an extra.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

from bot.catalog.errors import UnknownOperator


@dataclass(frozen=True)
class Operator:
    key: str
    name_zh: str
    name_en: str
    hotline: str
    # The operator's own 5G bands, in order of importance.
    nr_bands: tuple[str, ...]
    # Low bands re-farmed from 2G/3G/4G; not yet everywhere, so missing one is not a gap in the main bands.
    refarmed_bands: tuple[str, ...] = ()
    # Bands of a partner's network its users rely on (Broadnet uses China Mobile's 2.6 GHz): main bands too.
    shared_bands: tuple[str, ...] = ()
    # Own bands in limited use: missing one is not a gap in the main bands (Broadnet's n79).
    extra_bands: tuple[str, ...] = ()
    # Short and informal names users type ("移动", "CMCC").
    aliases: tuple[str, ...] = ()

    @property
    def main_bands(self) -> tuple[str, ...]:
        """The bands a phone needs for this operator's 5G to be "full" (own main bands and shared ones)."""
        return self.nr_bands + self.shared_bands

    @property
    def all_bands(self) -> tuple[str, ...]:
        return self.nr_bands + self.shared_bands + self.refarmed_bands + self.extra_bands

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh


OPERATORS: dict[str, Operator] = {
    op.key: op
    for op in (
        Operator(
            key="china_mobile",
            name_zh="中国移动",
            name_en="China Mobile",
            hotline="10086",
            nr_bands=("n41", "n79", "n28"),
            aliases=("移动", "中移动", "CMCC", "Mobile"),
        ),
        Operator(
            key="china_telecom",
            name_zh="中国电信",
            name_en="China Telecom",
            hotline="10000",
            nr_bands=("n78", "n1"),
            refarmed_bands=("n5",),
            aliases=("电信", "CTCC", "Telecom"),
        ),
        Operator(
            key="china_unicom",
            name_zh="中国联通",
            name_en="China Unicom",
            hotline="10010",
            nr_bands=("n78", "n1"),
            refarmed_bands=("n8",),
            aliases=("联通", "CUCC", "Unicom"),
        ),
        Operator(
            key="china_broadnet",
            name_zh="中国广电",
            name_en="China Broadnet",
            hotline="10099",
            nr_bands=("n28",),
            shared_bands=("n41",),
            extra_bands=("n79",),
            aliases=("广电", "中国广电网络", "CBN", "Broadnet", "China Broadcast Network"),
        ),
    )
}


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split()).replace("_", "")


def operator_names(operator: Operator) -> tuple[str, ...]:
    """Every name a user may call the operator by, including its key."""
    return (operator.key, operator.name_zh, operator.name_en, *operator.aliases)


def resolve_operator(name: str) -> Operator:
    """The operator a key or name designates ("china_mobile", "中国移动", "移动", "China Mobile", "cmcc").

    Raises:
        UnknownOperator: no operator has that name.
    """
    wanted = _fold(name)
    for operator in OPERATORS.values():
        if wanted in {_fold(candidate) for candidate in operator_names(operator)}:
            return operator
    raise UnknownOperator(name)


# Aliases that are everyday words inside a sentence ("my mobile data"): they name an operator only alone.
GENERIC_WORDS = frozenset({"mobile"})


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _mentions(text: str, name: str) -> bool:
    """`name` occurs in `text`: anywhere for Chinese, as whole words for Latin names ("mobile data" is no operator)."""
    folded_text = _t2s().convert(unicodedata.normalize("NFKC", text)).casefold()
    folded_name = unicodedata.normalize("NFKC", name).casefold().replace("_", " ")
    if folded_name.isascii():
        return re.search(rf"(?<![a-z]){re.escape(folded_name)}(?![a-z])", folded_text) is not None
    return folded_name in folded_text


def operator_in(text: str) -> Operator:
    """The one operator a short answer names ("我是电信的", "I'm on China Unicom", "移动").

    Raises:
        UnknownOperator: no operator, or more than one, is named.
    """
    try:
        return resolve_operator(text)
    except UnknownOperator:
        pass
    named = [
        op
        for op in OPERATORS.values()
        if any(_mentions(text, name) for name in operator_names(op) if name.casefold() not in GENERIC_WORDS)
    ]
    if len(named) != 1:
        raise UnknownOperator(text)
    return named[0]
