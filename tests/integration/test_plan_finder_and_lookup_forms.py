"""The plan finder, typed picks and follow-ups of the look-ups, on the sample catalogue in a real database."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lookup_forms import ValidateCoverageForm, ValidateHandsetForm, ValidatePlanForm, follow_up_subject
from actions.lookups import ActionAnswerCoverage, ActionAnswerHandset, ActionAnswerPlan
from bot.catalog.finder import parse_plan_query
from tests.conftest import load_domain, make_tracker
from tests.integration.test_lookup_actions import catalogue  # noqa: F401 (fixture)

DOMAIN = load_domain()


async def ask_plan(text: str, **slots):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=slots, latest_message={"text": text, "intent": {"name": "ask_plan"}, "entities": []})
    events = await ActionAnswerPlan().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


def answer_of(messages) -> str:
    return "\n".join(str(m.get("answer") or "") for m in messages)


@pytest.mark.parametrize(
    ("text", "language", "expected", "absent"),
    [
        ("你们有哪些5G套餐", "zh", ["示例5G合约套餐129元", "示例5G合约套餐169元", "示例5G套餐59元"], ["4G套餐58"]),
        ("list your plans", "en", ["Sample 4G 39", "Sample 5G Unlimited 199"], []),
        ("which 5G plan is the cheapest", "en", ["The cheapest plan that fits (5G)", "Sample 5G 59"], []),
        ("给我推荐个便宜点的5G套餐", "zh", ["最便宜", "示例5G套餐59元"], []),
        ("100以内流量最多的套餐", "zh", ["流量最多", "60"], ["199"]),
        ("I need at least 40GB a month, 5G, no contract", "en", ["Sample 5G Unlimited 199"], ["Contract 169"]),
        ("合约期不超过12个月的5G套餐，最便宜的", "zh", ["示例5G套餐59元"], ["24个月"]),
        ("any plan under 30 yuan?", "en", ["No plan fits", "official app"], []),
    ],
)
async def test_the_finder_lists_and_picks_plans_from_what_the_user_states(catalogue, text, language, expected, absent):  # noqa: F811
    messages, events = await ask_plan(text, language=language)
    answer = answer_of(messages)
    for part in expected:
        assert part in answer
    for part in absent:
        assert part not in answer
    if "No plan" not in answer:
        assert ("示例数据" if language == "zh" else "Sample data") in answer, "sample data is said to be sample data"
    assert SlotSet("plan", None) in events


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("199的套餐", "zh", ["示例5G畅享套餐199元", "限速至 1Mbps", "示例数据"]),
        ("199的5G套餐合约期多久", "zh", ["无合约期"]),
        ("how much data comes with the 129 yuan plan", "en", ["Sample 5G Contract 129", "30.00 GB", "Sample data"]),
        ("the 128 yuan plan", "en", ["There is no plan at ¥128", "official app"]),
    ],
)
async def test_a_plan_named_by_its_price_gets_its_terms(catalogue, text, language, expected):  # noqa: F811
    messages, _ = await ask_plan(text, language=language)
    answer = answer_of(messages)
    for part in expected:
        assert part in answer


async def test_a_price_two_operators_share_is_asked_about_and_then_picked_by_typing(catalogue):  # noqa: F811
    messages, events = await ask_plan("99的套餐")
    assert messages[0]["response"] == "utter_which_one" and len(messages[0]["buttons"]) == 2
    assert ActiveLoop("plan_form") in events and FollowupAction("action_listen") in events
    offered = next(e["value"] for e in events if e.get("name") == "offered_choices")
    tracker = make_tracker(
        slots={"offered_choices": offered, "requested_slot": "plan"}, latest_message={"text": "广电那个"}
    )
    picked = ValidatePlanForm().validate_plan("广电那个", CollectingDispatcher(), tracker, DOMAIN)
    assert picked["plan"] == "示例5G合约套餐99元" and "广电" not in picked["plan"]


async def test_follow_ups_ask_for_another_price_and_for_more_data(catalogue):  # noqa: F811
    messages, events = await ask_plan("那129的呢")
    assert "示例5G合约套餐129元" in answer_of(messages)
    assert SlotSet("last_plan", "示例5G合约套餐129元") in events
    more, _ = await ask_plan("and with more data?", language="en", last_plan="示例5G合约套餐129元")
    answer = answer_of(more)
    assert (
        "Sample 5G Unlimited 199" in answer or "Sample 5G Contract 169" in answer or "Sample 5G Contract 99" in answer
    )
    assert "Sample 5G Contract 129" not in answer.split("\n")[1]


@pytest.mark.parametrize("text", ["199的套餐", "有哪些5G套餐", "最便宜的", "the 128 yuan plan", "100以内的"])
async def test_a_finder_question_needs_no_plan_name(text):
    form = ValidatePlanForm()
    tracker = make_tracker(latest_message={"text": text})
    assert await form.required_slots(form.domain_slots(DOMAIN), CollectingDispatcher(), tracker, DOMAIN) == []


async def test_a_plan_question_without_a_name_or_criteria_asks_which_plan():
    form = ValidatePlanForm()
    tracker = make_tracker(latest_message={"text": "这个套餐合约期多久"})
    assert await form.required_slots(form.domain_slots(DOMAIN), CollectingDispatcher(), tracker, DOMAIN) == ["plan"]


@pytest.mark.parametrize(
    ("typed", "place"),
    [("北京", "北京市朝阳区"), ("the Liaoning one", "辽宁省朝阳市"), ("第二个", "辽宁省朝阳市"), ("1", "北京市朝阳区")],
)
async def test_an_ambiguous_place_is_then_picked_by_typing(catalogue, typed, place):  # noqa: F811
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerCoverage().run(dispatcher, make_tracker(slots={"place": "朝阳"}), DOMAIN)
    offered = next(e["value"] for e in events if e.get("name") == "offered_choices")
    tracker = make_tracker(
        slots={"offered_choices": offered, "requested_slot": "place"}, latest_message={"text": typed}
    )
    picked = ValidateCoverageForm().validate_place(typed, CollectingDispatcher(), tracker, DOMAIN)
    assert picked == {"place": place, "offered_choices": None}
    answered = CollectingDispatcher()
    await ActionAnswerCoverage().run(answered, make_tracker(slots={"place": picked["place"]}), DOMAIN)
    assert place in answered.messages[0]["answer"]


async def test_a_new_place_typed_instead_of_a_pick_is_looked_up_as_typed(catalogue):  # noqa: F811
    offered = [
        {"value": "北京市朝阳区", "titles": ["北京市朝阳区"]},
        {"value": "辽宁省朝阳市", "titles": ["辽宁省朝阳市"]},
    ]
    tracker = make_tracker(
        slots={"offered_choices": offered, "requested_slot": "place"}, latest_message={"text": "海淀"}
    )
    assert ValidateCoverageForm().validate_place("海淀", CollectingDispatcher(), tracker, DOMAIN)["place"] == "海淀"


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("那小米13呢", "小米13"),
        ("what about the Pixel 7?", "Pixel 7"),
        ("换成荣耀 V40呢", "荣耀 V40"),
        ("iPhone 15能用5G吗", None),
    ],
)
def test_a_follow_up_names_its_subject(text, subject):
    assert follow_up_subject(text) == subject


async def test_a_follow_up_about_a_phone_the_catalogue_lacks_says_so_and_where_to_check(catalogue):  # noqa: F811
    tracker = make_tracker(latest_message={"text": "那小米13呢", "intent": {"name": "check_handset"}})
    extracted = await ValidateHandsetForm().extract_handset(CollectingDispatcher(), tracker, DOMAIN)
    assert extracted == {"handset": "小米13"}
    dispatcher = CollectingDispatcher()
    await ActionAnswerHandset().run(dispatcher, make_tracker(slots=extracted), DOMAIN)
    assert (
        dispatcher.messages[0]["response"] == "utter_handset_not_found" and dispatcher.messages[0]["query"] == "小米13"
    )


@pytest.mark.parametrize("form", [ValidateCoverageForm(), ValidateHandsetForm(), ValidatePlanForm()])
@pytest.mark.parametrize("text", ["算了", "never mind"])
async def test_every_look_up_form_stops_on_an_explicit_cancel(form, text):
    slot = form.domain_slots(DOMAIN)[0]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(latest_message={"text": text})
    result = getattr(form, f"validate_{slot}")(text, dispatcher, tracker, DOMAIN)
    assert result[slot] is None and result["form_cancelled"] is True
    assert dispatcher.messages[0]["response"] == "utter_lookup_cancelled"
    ended = make_tracker(slots={"form_cancelled": True}, latest_message={"text": text})
    assert await form.required_slots(form.domain_slots(DOMAIN), dispatcher, ended, DOMAIN) == []


def test_the_finder_reads_prices_budgets_data_and_contracts_as_people_write_them():
    assert parse_plan_query("199的套餐").price == 199
    assert parse_plan_query("the 128 yuan plan").price == 128
    assert parse_plan_query("每月不超过100块的5G套餐").budget == 100
    assert parse_plan_query("under 100 a month with at least 20GB").min_data_gb == 20
    query = parse_plan_query("合约期不超过12个月的5G套餐")
    assert query.max_contract_months == 12 and query.budget is None and query.generation == "5g"
    assert parse_plan_query("5G套餐").min_data_gb is None, "5G is the network, not 5 GB"
    assert parse_plan_query("不要合约的套餐有吗").no_contract
    assert parse_plan_query("and with more data?").more_data
    assert not parse_plan_query("what's the early termination fee").has_criteria
