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


async def test_the_second_in_a_row_offers_to_escalate(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[user("nlu_fallback"), {"event": "bot", "text": "?"}, user("nlu_fallback")])
    events = await ActionHandleFallback().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("utter_offer_escalation")] and dispatcher.messages == []
