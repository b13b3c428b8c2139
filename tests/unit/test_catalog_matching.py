"""Matching what users type to places, handsets and plans, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.catalog.errors import UnknownOperator
from bot.catalog.matching import match_handset, match_place, match_plan, normalise
from bot.catalog.operators import operator_in


@dataclass(frozen=True)
class Area:
    province: str
    city: str
    district: str | None
    province_aliases: tuple[str, ...] = ()
    city_aliases: tuple[str, ...] = ()
    district_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phone:
    brand: str
    model: str
    name_zh: str = ""
    model_codes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Tariff:
    operator: str
    name: str
    name_en: str = ""
    aliases: tuple[str, ...] = ()


AREAS = [
    Area("北京市", "北京市", "朝阳区", ("Beijing",), ("Beijing",), ("Chaoyang",)),
    Area("北京市", "北京市", "海淀区", ("Beijing",), ("Beijing",), ("Haidian",)),
    Area("北京市", "北京市", "东城区", ("Beijing",), ("Beijing",), ("Dongcheng",)),
    Area("上海市", "上海市", "浦东新区", ("Shanghai",), ("Shanghai",), ("Pudong",)),
    Area("广东省", "广州市", "天河区", ("Guangdong",), ("Guangzhou",), ("Tianhe",)),
    Area("广东省", "深圳市", "南山区", ("Guangdong",), ("Shenzhen",), ("Nanshan",)),
    Area("辽宁省", "朝阳市", None, ("Liaoning",), ("Chaoyang",)),
    Area("西藏自治区", "阿里地区", "改则县", ("Xizang", "Tibet"), ("Ngari",), ("Gerze",)),
]

BJ_CHAOYANG = "北京市朝阳区"
LN_CHAOYANG = "辽宁省朝阳市"


@pytest.mark.parametrize(
    ("query", "outcome", "labels"),
    [
        # Chinese, with and without the administrative suffix
        ("朝阳区", "unique", [BJ_CHAOYANG]),
        ("北京朝阳", "unique", [BJ_CHAOYANG]),
        ("北京市朝阳区", "unique", [BJ_CHAOYANG]),
        ("辽宁朝阳", "unique", [LN_CHAOYANG]),
        ("朝阳市", "unique", [LN_CHAOYANG]),
        ("海淀", "unique", ["北京市海淀区"]),
        ("浦东", "unique", ["上海市浦东新区"]),
        ("浦东新区", "unique", ["上海市浦东新区"]),
        ("改则", "unique", ["西藏自治区阿里地区改则县"]),
        ("西藏改则县", "unique", ["西藏自治区阿里地区改则县"]),
        ("北京", "unique", ["北京市"]),
        ("深圳南山", "unique", ["广东省深圳市南山区"]),
        # traditional characters and full-width spaces
        ("朝陽區", "unique", [BJ_CHAOYANG]),
        ("北京市\u3000海澱區", "unique", ["北京市海淀区"]),
        # pinyin and English, any case and spacing
        ("Chaoyang District", "unique", [BJ_CHAOYANG]),
        ("chaoyang district, beijing", "unique", [BJ_CHAOYANG]),
        ("Beijing Chaoyang", "unique", [BJ_CHAOYANG]),
        ("Chaoyang City", "unique", [LN_CHAOYANG]),
        ("HAIDIAN", "unique", ["北京市海淀区"]),
        ("Pudong New Area", "unique", ["上海市浦东新区"]),
        ("Nanshan, Shenzhen", "unique", ["广东省深圳市南山区"]),
        ("Beijing", "unique", ["北京市"]),
        ("Tibet Gerze County", "unique", ["西藏自治区阿里地区改则县"]),
        # one name, two places: Beijing's 朝阳区 and Liaoning's 朝阳市
        ("朝阳", "ambiguous", [BJ_CHAOYANG, LN_CHAOYANG]),
        ("Chaoyang", "ambiguous", [BJ_CHAOYANG, LN_CHAOYANG]),
        # a province alone asks for a city
        ("广东", "ambiguous", ["广东省广州市", "广东省深圳市"]),
        ("Guangdong Province", "ambiguous", ["广东省广州市", "广东省深圳市"]),
        # unknown places and near misses are not guessed
        ("天津", "none", []),
        ("朝", "none", []),
        ("Chaoyan", "none", []),
        ("上海朝阳", "none", []),
        ("", "none", []),
    ],
)
def test_a_place_is_matched_by_its_names_in_either_language(query: str, outcome: str, labels: list[str]) -> None:
    match = match_place(query, AREAS)
    assert match.outcome == outcome
    assert [place.label() for place in match.candidates] == labels


def test_a_unique_place_is_found_and_labelled_in_both_languages() -> None:
    match = match_place("朝阳区", AREAS)
    assert match.found is not None
    assert (match.found.province, match.found.city, match.found.district) == ("北京市", "北京市", "朝阳区")
    assert match.found.label("en") == "Chaoyang, Beijing"
    liaoning = match_place("辽宁朝阳", AREAS).found
    assert liaoning is not None
    assert liaoning.label("en") == "Chaoyang, Liaoning"


def test_an_ambiguous_place_has_no_found_value() -> None:
    assert match_place("朝阳", AREAS).found is None


HANDSETS = [
    Phone("Apple", "iPhone 12", "苹果 iPhone 12", ("A2404",), ("iPhone12", "苹果12")),
    Phone("Apple", "iPhone 12 mini", "苹果 iPhone 12 mini", ("A2400",), ("苹果12mini",)),
    Phone("Apple", "iPhone 12 Pro", "苹果 iPhone 12 Pro"),
    Phone("Huawei", "Mate 40", "华为 Mate 40"),
    Phone("Huawei", "Mate 40 Pro", "华为 Mate 40 Pro"),
    Phone("Huawei", "Mate 40 Pro+", "华为 Mate 40 Pro+"),
    Phone("Xiaomi", "11", "小米11", aliases=("Mi 11",)),
    Phone("Honor", "50", "荣耀50"),
    Phone("OPPO", "Find X3", "OPPO Find X3"),
    Phone("vivo", "X60", "vivo X60"),
]


@pytest.mark.parametrize(
    ("query", "outcome", "models"),
    [
        ("iphone12", "unique", ["iPhone 12"]),
        ("IPHONE 12", "unique", ["iPhone 12"]),
        ("iPhone-12", "unique", ["iPhone 12"]),
        ("苹果12", "unique", ["iPhone 12"]),
        ("苹果 iPhone 12", "unique", ["iPhone 12"]),
        ("Apple iPhone 12", "unique", ["iPhone 12"]),
        ("A2404", "unique", ["iPhone 12"]),
        ("a2400", "unique", ["iPhone 12 mini"]),
        ("华为mate40", "unique", ["Mate 40"]),
        ("Huawei Mate 40", "unique", ["Mate 40"]),
        ("華為 Mate 40", "unique", ["Mate 40"]),
        ("mate 40 pro", "unique", ["Mate 40 Pro"]),
        ("Mate 40 Pro+", "unique", ["Mate 40 Pro+"]),
        ("小米11", "unique", ["11"]),
        ("Xiaomi 11", "unique", ["11"]),
        ("mi11", "unique", ["11"]),
        ("荣耀50", "unique", ["50"]),
        ("Honor 50", "unique", ["50"]),
        ("欧珀 Find X3", "unique", ["Find X3"]),
        ("OPPO findx3", "unique", ["Find X3"]),
        ("vivo x60", "unique", ["X60"]),
        ("维沃X60", "unique", ["X60"]),
        # an exact name wins over longer names it begins
        ("Mate 40", "unique", ["Mate 40"]),
        # a name that only begins models is never settled by a guess
        ("Mate 40 Pr", "ambiguous", ["Mate 40 Pro", "Mate 40 Pro+"]),
        ("华为", "ambiguous", ["Mate 40", "Mate 40 Pro", "Mate 40 Pro+"]),
        ("iPhone 12 P", "ambiguous", ["iPhone 12 Pro"]),
        ("iphone", "ambiguous", ["iPhone 12", "iPhone 12 mini", "iPhone 12 Pro"]),
        # neither a different number nor a bare number is a match
        ("iPhone 1", "none", []),
        ("iPhone 13", "none", []),
        ("Mate 4", "none", []),
        ("50", "none", []),
        ("Galaxy S21", "none", []),
        ("", "none", []),
    ],
)
def test_a_handset_is_matched_by_name_brand_or_model_code(query: str, outcome: str, models: list[str]) -> None:
    match = match_handset(query, HANDSETS)
    assert match.outcome == outcome
    assert [phone.model for phone in match.candidates] == models


def test_two_catalogue_entries_with_the_same_alias_are_ambiguous() -> None:
    twins = [Phone("Apple", "iPhone 12", aliases=("12",)), Phone("Apple", "iPhone 12 (Hong Kong)", aliases=("12",))]
    assert match_handset("苹果12", twins).outcome == "ambiguous"


PLANS = [
    Tariff("china_mobile", "示例5G合约套餐129元", "Sample 5G Contract 129", ("5G合约129",)),
    Tariff("china_mobile", "示例4G套餐58元", "Sample 4G 58", ("4G 58",)),
    Tariff("china_unicom", "示例5G合约套餐99元", "Sample 5G Contract 99", ("5G合约99",)),
    Tariff("china_broadnet", "示例5G合约套餐99元", "Sample 5G Contract 99", ("5G合约99",)),
    Tariff("china_telecom", "示例4G套餐39元", "Sample 4G 39", ("4G 39",)),
]


@pytest.mark.parametrize(
    ("query", "operator", "outcome", "found"),
    [
        ("示例5G合约套餐129元", None, "unique", [("china_mobile", "示例5G合约套餐129元")]),
        ("sample 5g contract 129", None, "unique", [("china_mobile", "示例5G合约套餐129元")]),
        ("5G合约129", None, "unique", [("china_mobile", "示例5G合约套餐129元")]),
        ("移动 5G合约129", None, "unique", [("china_mobile", "示例5G合约套餐129元")]),
        ("China Mobile 4G 58", None, "unique", [("china_mobile", "示例4G套餐58元")]),
        ("示例4G套餐39元", "电信", "unique", [("china_telecom", "示例4G套餐39元")]),
        # the same plan name at two operators
        (
            "5G合约99",
            None,
            "ambiguous",
            [("china_unicom", "示例5G合约套餐99元"), ("china_broadnet", "示例5G合约套餐99元")],
        ),
        ("5G合约99", "china_unicom", "unique", [("china_unicom", "示例5G合约套餐99元")]),
        ("Sample 5G Contract 99", "广电", "unique", [("china_broadnet", "示例5G合约套餐99元")]),
        ("联通5G合约99", None, "unique", [("china_unicom", "示例5G合约套餐99元")]),
        # partial names and another operator's plans are not guesses
        ("Sample 4G", None, "ambiguous", [("china_mobile", "示例4G套餐58元"), ("china_telecom", "示例4G套餐39元")]),
        ("5G合约129", "联通", "none", []),
        ("Sample 5G Contract 1", None, "none", []),
        ("无限流量", None, "none", []),
    ],
)
def test_a_plan_is_matched_by_name_alias_and_operator(
    query: str, operator: str | None, outcome: str, found: list[tuple[str, str]]
) -> None:
    match = match_plan(query, PLANS, operator)
    assert match.outcome == outcome
    assert [(plan.operator, plan.name) for plan in match.candidates] == found


def test_an_unknown_operator_is_an_error_not_an_empty_match() -> None:
    with pytest.raises(UnknownOperator):
        match_plan("5G合约99", PLANS, operator="AT&T")


@pytest.mark.parametrize(
    ("text", "key"),
    [("朝陽區", "朝阳区"), ("iPhone 12", "iphone12"), ("ＩＰＨＯＮＥ１２", "iphone12"), ("Mate 40 Pro+", "mate40pro+")],
)
def test_names_are_compared_in_one_normal_form(text: str, key: str) -> None:
    assert normalise(text) == key


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        ("我是电信的", "china_telecom"),
        ("我用的是移动卡", "china_mobile"),
        ("廣電用戶", "china_broadnet"),
        ("I'm on China Unicom", "china_unicom"),
        ("telecom", "china_telecom"),
        ("Mobile", "china_mobile"),
        ("cmcc", "china_mobile"),
    ],
)
def test_the_operator_is_found_in_a_short_answer(answer: str, key: str) -> None:
    assert operator_in(answer).key == key


@pytest.mark.parametrize("answer", ["电信还是联通我忘了", "my mobile data is slow", "不知道", "AT&T"])
def test_no_operator_or_two_of_them_is_not_a_guess(answer: str) -> None:
    with pytest.raises(UnknownOperator):
        operator_in(answer)
