"""The clarification when the FAQ topic is uncertain, and the answer to a picked topic."""

import json

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaqPick, ActionClarifyFaq, faq_ranking
from tests.conftest import make_tracker


def selector(*keys):
    return {
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": 0.3} for k in keys]}
        }
    }


def test_the_ranking_lists_topic_keys_best_first():
    assert faq_ranking(selector("plan_change", "plan_downgrade")) == ["plan_change", "plan_downgrade"]
    assert faq_ranking({}) == []


async def test_an_unsure_question_offers_the_two_best_topics_and_none_of_these(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(latest_message=selector("plan_change", "plan_downgrade", "plan_throttling"))
    await ActionClarifyFaq().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_did_you_mean"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[0] == "/faq_pick" + json.dumps({"faq_topic": "plan_change"})
    assert payloads[1] == "/faq_pick" + json.dumps({"faq_topic": "plan_downgrade"})
    assert payloads[2] == "/faq_pick_none"
    assert message["buttons"][0]["title"] != "plan_change", "buttons show the curated title, not the key"


async def test_english_conversations_get_english_button_titles(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"language": "en"}, latest_message=selector("plan_change", "plan_downgrade"))
    await ActionClarifyFaq().run(dispatcher, tracker, domain)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert all(t.isascii() for t in titles)
    assert titles[-1] == "None of these"


async def test_a_picked_topic_is_answered_with_its_curated_response(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerFaqPick().run(dispatcher, make_tracker(slots={"faq_topic": "plan_change"}), domain)
    assert dispatcher.messages[0]["response"] == "utter_faq/plan_change"
    assert events == [SlotSet("faq_topic", None)]


async def test_an_unknown_picked_topic_asks_to_rephrase(domain):
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaqPick().run(dispatcher, make_tracker(slots={"faq_topic": "no_such_topic"}), domain)
    assert dispatcher.messages[0]["response"] == "utter_rephrase"
