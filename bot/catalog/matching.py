"""Maps what a user typed to catalogue entries: places, handsets, plans.

Pure functions over plain records (ORM rows or dataclasses). Names are compared
after normalisation — NFKC, traditional to simplified Chinese, case folded,
spaces and punctuation dropped — and only exactly: a name that merely starts
like several entries (or like one) is reported as `ambiguous` with its
candidates for the user to choose or confirm, never picked as a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from typing import Generic, Literal, Protocol, TypeVar

import opencc

from bot.catalog.operators import OPERATORS, operator_names, resolve_operator

Outcome = Literal["unique", "ambiguous", "none"]
T = TypeVar("T")

# Anything but letters, digits and CJK goes, except "+" which tells "Mate 40 Pro+" from "Mate 40 Pro".
_NOT_KEY = re.compile(r"[^\w+]|_")
MAX_QUERY_CHARS = 64


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """The comparison form of a name: "朝陽區 " -> "朝阳区", "iPhone 12" -> "iphone12"."""
    text = unicodedata.normalize("NFKC", text)
    return _NOT_KEY.sub("", _t2s().convert(text).casefold())


@dataclass(frozen=True)
class Match(Generic[T]):
    """`unique`: one entry (`candidates[0]`); `ambiguous`: the entries the query may mean; `none`."""

    outcome: Outcome
    candidates: tuple[T, ...] = ()

    @property
    def found(self) -> T | None:
        return self.candidates[0] if self.outcome == "unique" else None


def _decide(exact: Sequence[T], partial: Sequence[T] = ()) -> Match[T]:
    if len(exact) == 1:
        return Match("unique", (exact[0],))
    if exact:
        return Match("ambiguous", tuple(exact))
    if partial:
        return Match("ambiguous", tuple(partial))
    return Match("none")


def _unique(items: Iterable[T], identity: Callable[[T], Hashable]) -> list[T]:
    seen: dict[Hashable, T] = {}
    for item in items:
        seen.setdefault(identity(item), item)
    return list(seen.values())


# ---------------------------------------------------------------- places


class PlaceRecord(Protocol):
    @property
    def province(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def district(self) -> str | None: ...
    @property
    def province_aliases(self) -> Sequence[str]: ...
    @property
    def city_aliases(self) -> Sequence[str]: ...
    @property
    def district_aliases(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Place:
    """A city (district None) or a district or county. Aliases are for display, not identity."""

    province: str
    city: str
    district: str | None = None
    province_aliases: tuple[str, ...] = field(default=(), compare=False)
    city_aliases: tuple[str, ...] = field(default=(), compare=False)
    district_aliases: tuple[str, ...] = field(default=(), compare=False)

    def label(self, language: str = "zh") -> str:
        """Display name: 北京市朝阳区 / "Chaoyang, Beijing"; 辽宁省朝阳市 / "Chaoyang, Liaoning"."""
        if language == "en":
            parts = [(self.district, self.district_aliases)] if self.district else []
            parts.append((self.city, self.city_aliases))
            if self.province != self.city:
                parts.append((self.province, self.province_aliases))
            return ", ".join(aliases[0] if aliases else name for name, aliases in parts)
        upper = self.city if self.province == self.city else self.province + self.city
        return upper + (self.district or "")


# Administrative suffixes, longest first, with the English and pinyin words that may replace them.
ZH_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("特别行政区", ("sar", "specialadministrativeregion")),
    ("自治区", ("autonomousregion", "region", "zizhiqu")),
    ("自治州", ("autonomousprefecture", "prefecture", "zizhizhou")),
    ("自治县", ("autonomouscounty", "county", "zizhixian")),
    ("新区", ("newarea", "newdistrict", "district", "xinqu")),
    ("地区", ("prefecture", "region", "diqu")),
    ("省", ("province", "sheng")),
    ("市", ("city", "municipality", "shi")),
    ("区", ("district", "qu")),
    ("县", ("county", "xian")),
    ("盟", ("league", "meng")),
    ("旗", ("banner", "qi")),
)

# A place unit is (province,), (province, city) or (province, city, district).
Unit = tuple[str, ...]


def _split_suffix(key: str) -> tuple[str, tuple[str, ...]]:
    for suffix, words in ZH_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)], words
    return key, ()


def name_variants(name: str, aliases: Iterable[str] = ()) -> set[str]:
    """Keys a place name is known by: "朝阳区" -> 朝阳区, 朝阳; alias "Chaoyang" -> chaoyang, chaoyangdistrict, ..."""
    key = normalise(name)
    stem, words = _split_suffix(key)
    variants = {key, stem}
    for alias in aliases:
        alias_key = normalise(alias)
        variants.add(alias_key)
        variants.update(alias_key + word for word in words if alias_key)
    variants.discard("")
    return variants


@dataclass
class _PlaceIndex:
    keys: dict[str, set[Unit]] = field(default_factory=dict)
    places: dict[Unit, Place] = field(default_factory=dict)
    cities_of: dict[Unit, set[Unit]] = field(default_factory=dict)

    def add(self, unit: Unit, names: set[str]) -> None:
        for name in names:
            self.keys.setdefault(name, set()).add(unit)


def _place_index(areas: Iterable[PlaceRecord]) -> _PlaceIndex:
    index = _PlaceIndex()
    for area in areas:
        province, city = (area.province,), (area.province, area.city)
        index.add(province, name_variants(area.province, area.province_aliases))
        index.add(city, name_variants(area.city, area.city_aliases))
        index.cities_of.setdefault(province, set()).add(city)
        aliases = (tuple(area.province_aliases), tuple(area.city_aliases))
        index.places.setdefault(city, Place(area.province, area.city, None, *aliases))
        if area.district:
            district = (*city, area.district)
            index.add(district, name_variants(area.district, area.district_aliases))
            index.places.setdefault(
                district, Place(area.province, area.city, area.district, *aliases, tuple(area.district_aliases))
            )
    return index


def _segmentations(key: str, most: int = 3) -> Iterable[tuple[str, ...]]:
    """Every way to cut `key` into 1..`most` non-empty consecutive parts."""
    yield (key,)
    if most < 2:
        return
    for cut in range(1, len(key)):
        for rest in _segmentations(key[cut:], most - 1):
            yield (key[:cut], *rest)


def _chain(units: tuple[Unit, ...]) -> Unit | None:
    """The most specific unit if all units lie on one line of descent, each level named once."""
    deepest = max(units, key=len)
    if len({len(unit) for unit in units}) != len(units):
        return None
    return deepest if all(deepest[: len(unit)] == unit for unit in units) else None


def _same_name(a: Unit, b: Unit) -> bool:
    """Beijing the province-level municipality and Beijing the city are one place."""
    return len(a) < len(b) and b[: len(a)] == a and a[-1] == b[len(a)]


PlaceMatch = Match[Place]


def match_place(query: str, areas: Iterable[PlaceRecord]) -> PlaceMatch:
    """The city or district a user named, in Chinese (with or without 省/市/区/县/新区/自治区),
    traditional characters, or pinyin/English ("Chaoyang District, Beijing", "北京朝阳").

    A province alone is `ambiguous` between its cities; "朝阳" is `ambiguous` between
    Beijing's 朝阳区 and Liaoning's 朝阳市.
    """
    key = normalise(query)
    if not key or len(key) > MAX_QUERY_CHARS:
        return Match("none")
    index = _place_index(areas)
    found: set[Unit] = set()
    for parts in _segmentations(key):
        hits = [index.keys.get(part, set()) for part in parts]
        if all(hits):
            found.update(unit for combo in product(*hits) if (unit := _chain(combo)) is not None)
    found = {unit for unit in found if not any(_same_name(unit, other) for other in found)}
    units: set[Unit] = set()
    for unit in found:
        units.update(index.cities_of.get(unit, set()) if len(unit) == 1 else {unit})
    places = sorted((index.places[unit] for unit in units), key=lambda p: (p.province, p.city, p.district or ""))
    if any(len(unit) == 1 for unit in found):
        return Match("ambiguous", tuple(places)) if places else Match("none")
    return _decide(places)


# ---------------------------------------------------------------- handsets and plans

# Brands as users write them; the catalogue's `brand` column holds the first (English) name.
BRAND_NAMES: dict[str, tuple[str, ...]] = {
    "apple": ("Apple", "苹果", "iPhone"),
    "huawei": ("Huawei", "华为"),
    "xiaomi": ("Xiaomi", "小米", "Mi"),
    "honor": ("Honor", "荣耀"),
    "oppo": ("OPPO", "欧珀"),
    "vivo": ("vivo", "维沃"),
}


class HandsetRecord(Protocol):
    @property
    def brand(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def model_codes(self) -> Sequence[str]: ...
    @property
    def aliases(self) -> Sequence[str]: ...


class PlanRecord(Protocol):
    @property
    def operator(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def aliases(self) -> Sequence[str]: ...


H = TypeVar("H", bound=HandsetRecord)
P = TypeVar("P", bound=PlanRecord)


def _prefixed(names: Iterable[str], prefixes: Iterable[str]) -> set[str]:
    """Names alone and after each prefix; a bare number ("50" of Honor 50) only after a prefix."""
    keys = {normalise(name) for name in names} - {""}
    heads = {normalise(prefix) for prefix in prefixes} - {""}
    prefixed = {head + key for head, key in product(heads, keys) if not key.startswith(head)}
    return {key for key in keys if not key.isdigit()} | prefixed


def handset_keys(handset: HandsetRecord) -> set[str]:
    """Model names, aliases and model codes, alone and after any name of the brand ("华为mate40")."""
    brands = BRAND_NAMES.get(normalise(handset.brand), (handset.brand,))
    names = (handset.model, handset.name_zh, *handset.aliases, *handset.model_codes)
    return _prefixed(names, brands)


def plan_keys(plan: PlanRecord) -> set[str]:
    """Plan names and aliases, alone and after any name of the operator ("移动5g合约129")."""
    operator = OPERATORS.get(plan.operator)
    prefixes = operator_names(operator) if operator else ()
    return _prefixed((plan.name, plan.name_en, *plan.aliases), prefixes)


def _extends(key: str, query: str) -> bool:
    """`key` continues `query` at a boundary: "mate40pro" continues "mate40", "iphone12" not "iphone1"."""
    if len(key) <= len(query) or not key.startswith(query):
        return False
    return not (query[-1].isdigit() and key[len(query)].isdigit())


def _match_by_keys(
    query: str, items: Sequence[T], keys_of: Callable[[T], set[str]], identity: Callable[[T], Hashable]
) -> Match[T]:
    key = normalise(query)
    if len(key) < 2 or len(key) > MAX_QUERY_CHARS:
        return Match("none")
    exact: list[T] = []
    partial: list[T] = []
    for item in items:
        keys = keys_of(item)
        if key in keys:
            exact.append(item)
        elif any(_extends(candidate, key) for candidate in keys):
            partial.append(item)
    return _decide(_unique(exact, identity), _unique(partial, identity))


def match_handset(query: str, handsets: Sequence[H]) -> Match[H]:
    """The handset a user named: "iphone12", "IPHONE 12", "苹果12", "A2404", "华为mate40", "Huawei Mate 40".

    An exact name wins ("Mate 40" is the Mate 40 even when a Mate 40 Pro exists);
    a name that only begins one or more models ("Mate", "华为") is `ambiguous`.
    """
    return _match_by_keys(query, handsets, handset_keys, lambda h: (h.brand, h.model))


def match_plan(query: str, plans: Sequence[P], operator: str | None = None) -> Match[P]:
    """The plan a user named, optionally among one operator's plans ("中国移动", "china_mobile", "移动")."""
    if operator is not None:
        key = resolve_operator(operator).key
        plans = [plan for plan in plans if plan.operator == key]
    return _match_by_keys(query, plans, plan_keys, lambda p: (p.operator, p.name))
