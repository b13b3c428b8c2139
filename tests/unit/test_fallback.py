"""Two misunderstandings in a row lead to an offer to escalate."""

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback, misunderstood_in_a_row
from tests.conftest import make_tracker


def user(intent):
    return {"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}}


def test_misunderstandings_are_counted_back_to_the_last_understood_message():
    events = [user("greet"), user("nlu_fallback"), {"event": "bot", "text": "?"}, user("nlu_fallback")]
    assert misunderstood_in_a_row(make_tracker(events=events)) == 2
    assert misunderstood_in_a_row(make_tracker(events=[user("nlu_fallback"), user("faq")])) == 0


async def test_the_first_misunderstanding_asks_to_rephrase(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(
        dispatcher, make_tracker(events=[user("greet"), user("nlu_fallback")]), domain
    )
    assert events == [] and dispatcher.messages[0]["response"] == "utter_rephrase"


async def test_the_second_in_a_row_asks_for_a_person(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[user("nlu_fallback"), {"event": "bot", "text": "?"}, user("nlu_fallback")])
    events = await ActionHandleFallback().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("action_request_live_chat")] and dispatcher.messages == []


def clarified_then_typed(text, offered):
    events = [
        {"event": "user", "text": "5G那个怎么弄", "parse_data": {"intent": {"name": "faq"}}},
        {"event": "action", "name": "action_clarify_faq"},
        {"event": "bot", "text": "我不太确定您想问哪一个，是下面这些吗？"},
        {"event": "action", "name": "action_listen"},
        user("nlu_fallback"),
    ]
    return make_tracker(
        slots={"offered_choices": offered},
        events=events,
        latest_message={"text": text, "intent": {"name": "nlu_fallback"}},
    )


OFFERED = [
    {"value": "coverage_check_area", "titles": ["怎么查5G覆盖", "Checking 5G coverage"]},
    {"value": "handset_check_support", "titles": ["手机是否支持5G", "Does my phone support 5G"]},
    {"value": "none_of_these", "titles": ["都不是", "None of these"]},
]


async def test_a_did_you_mean_choice_typed_as_an_ordinal_is_answered_then_asked_if_it_helped(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionHandleFallback().run(dispatcher, clarified_then_typed("第二个", OFFERED), domain)
    assert dispatcher.messages[0]["response"] == "utter_faq/handset_check_support"
    assert FollowupAction("utter_did_that_help") in events


async def test_none_of_these_typed_asks_to_rephrase(domain):
    dispatcher = CollectingDispatcher()
    await ActionHandleFallback().run(dispatcher, clarified_then_typed("都不是", OFFERED), domain)
    assert dispatcher.messages[0]["response"] == "utter_rephrase"


async def test_an_ordinal_long_after_the_question_is_not_read_as_a_pick(domain):
    events = [user("greet"), {"event": "action", "name": "utter_greet"}, user("nlu_fallback")]
    tracker = make_tracker(slots={"offered_choices": OFFERED}, events=events, latest_message={"text": "第二个"})
    dispatcher = CollectingDispatcher()
    await ActionHandleFallback().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_rephrase"
