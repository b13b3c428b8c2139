"""The look-up actions through a Tracker, on the sample catalogue in a real database."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import wiring
from actions.complaints import ActionStartComplaint
from actions.lookups import ActionAnswerCoverage, ActionAnswerHandset, ActionAnswerPlan, remaining_months
from bot.catalog.importer import import_file
from bot.complaints.spool import ComplaintSpool
from bot.complaints.unit_of_work import sqlalchemy_uow_factory
from bot.db import session_factory
from bot.settings import ROOT
from tests.conftest import load_domain, make_tracker

DOMAIN = load_domain()


@pytest.fixture
def catalogue(database_url, tmp_path):
    factory = session_factory(database_url)
    for kind in ("coverage", "handsets", "plans"):
        assert import_file(factory, ROOT / "data" / "catalog" / f"{kind}.sample.csv", kind).ok
    deps = wiring.Dependencies(
        uow_factory=sqlalchemy_uow_factory(database_url),
        spool=ComplaintSpool(tmp_path / "spool"),
        catalog_session=factory,
    )
    wiring.use(deps)
    yield deps
    wiring.use(None)


async def run(action, **tracker_args):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(**tracker_args), DOMAIN)
    return dispatcher.messages, events


async def test_coverage_at_a_district_lists_each_operator_and_is_labelled_as_sample(catalogue):
    messages, events = await run(ActionAnswerCoverage(), slots={"place": "海淀区"})
    text = messages[0]["answer"]
    assert "北京市海淀区" in text and "中国移动" in text and "中国电信" in text
    assert "示例数据" in text
    assert SlotSet("last_place", "北京市海淀区") in events


async def test_coverage_in_english_with_pinyin(catalogue):
    messages, _ = await run(ActionAnswerCoverage(), slots={"place": "Haidian", "language": "en"})
    assert "China Mobile" in messages[0]["answer"] and "Sample data" in messages[0]["answer"]


async def test_an_ambiguous_place_is_asked_about_with_buttons(catalogue):
    messages, _ = await run(ActionAnswerCoverage(), slots={"place": "朝阳"})
    assert messages[0]["response"] == "utter_which_one"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert any("北京" in t for t in titles) and any("辽宁" in t for t in titles)
    assert all(b["payload"].startswith("/check_coverage{") for b in messages[0]["buttons"])


async def test_an_unknown_place_is_said_plainly_with_how_to_check(catalogue):
    messages, _ = await run(ActionAnswerCoverage(), slots={"place": "火星基地"})
    assert messages[0]["response"] == "utter_place_not_found" and messages[0]["query"] == "火星基地"


async def test_the_configured_operator_limits_the_answer(catalogue):
    wiring.use(wiring.Dependencies(**{**catalogue.__dict__, "default_operator": "china_telecom"}))
    messages, _ = await run(ActionAnswerCoverage(), slots={"place": "海淀区"})
    assert "中国电信" in messages[0]["answer"] and "中国移动" not in messages[0]["answer"]


async def test_a_handset_shows_each_operator_and_its_bands(catalogue):
    messages, events = await run(ActionAnswerHandset(), slots={"handset": "iphone12"})
    text = messages[0]["answer"]
    assert "n41" in text and "中国移动" in text and "VoNR" in text
    assert any(e.get("name") == "last_handset" for e in events)


async def test_a_handset_without_verified_bands_says_it_is_unsure_and_points_to_the_operator(catalogue):
    messages, _ = await run(ActionAnswerHandset(), slots={"handset": "华为Mate 40", "language": "en"})
    text = messages[0]["answer"]
    assert "no verified 5G band data" in text and "not sure" in text
    assert "China Mobile 10086" in text and "China Telecom 10000" in text and "China Broadnet 10099" in text
    assert "licence" not in text  # bands are in the radio type approval, not the network access licence
    messages, _ = await run(ActionAnswerHandset(), slots={"handset": "华为Mate 40", "language": "zh"})
    text = messages[0]["answer"]
    assert "不确定" in text and "中国联通10010" in text and "型号核准" in text and "入网许可" not in text


async def test_the_configured_operator_alone_is_named_for_a_handset_without_verified_bands(catalogue):
    wiring.use(wiring.Dependencies(**{**catalogue.__dict__, "default_operator": "china_telecom"}))
    messages, _ = await run(ActionAnswerHandset(), slots={"handset": "华为Mate 40", "language": "zh"})
    assert "中国电信10000" in messages[0]["answer"] and "10086" not in messages[0]["answer"]


async def test_an_unknown_handset_is_said_plainly(catalogue):
    messages, _ = await run(ActionAnswerHandset(), slots={"handset": "Nokia 3310"})
    assert messages[0]["response"] == "utter_handset_not_found"


async def test_plan_terms_comparison_and_termination_estimate(catalogue):
    from bot.catalog.orm import Plan

    with catalogue.catalog_session() as session:
        names = [
            p.name for p in session.query(Plan).filter(Plan.name.in_(["示例5G合约套餐129元", "示例5G合约套餐169元"]))
        ]
    assert len(names) == 2
    messages, _ = await run(ActionAnswerPlan(), slots={"plan": names[0]})
    assert names[0] in messages[0]["answer"]
    entities = [{"entity": "plan", "value": n} for n in names]
    compared, _ = await run(ActionAnswerPlan(), latest_message={"text": "对比", "entities": entities})
    assert compared[0]["answer"].startswith("对比")
    estimate, _ = await run(
        ActionAnswerPlan(), slots={"plan": names[0]}, latest_message={"text": "还剩6个月解约要多少钱"}
    )
    assert "¥" in estimate[0]["answer"] and "账单" in estimate[0]["answer"]


def test_remaining_months_are_read_in_both_languages():
    assert remaining_months("还剩6个月") == 6
    assert remaining_months("with 12 months left") == 12
    assert remaining_months("提前解约") is None


async def test_a_plan_name_two_operators_share_is_asked_about_with_the_operator(catalogue):
    messages, _ = await run(ActionAnswerPlan(), slots={"plan": "示例5G合约套餐99元"})
    assert messages[0]["response"] == "utter_which_one"
    assert all('"operator"' in b["payload"] for b in messages[0]["buttons"])


async def test_a_complaint_after_a_look_up_starts_with_the_place_filled_in():
    _, events = await run(ActionStartComplaint(), slots={"last_place": "北京市朝阳区"})
    assert SlotSet("complaint_place", "北京市朝阳区") in events
