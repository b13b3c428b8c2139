"""The FAQ clarification: "Did you mean ...?" and the answer to the picked topic."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_steps import offer
from actions.language import current_language, variation_for
from bot.dialogue.choices import Choice
from bot.faq.catalogue import load_topics

RETRIEVAL_INTENT = "faq"
SUGGESTIONS = 2
NONE_OF_THESE = "none_of_these"


def faq_ranking(latest_message: dict[str, Any]) -> list[str]:
    """Topic keys from the ResponseSelector's ranking, best first."""
    selection = (latest_message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    keys = []
    for entry in selection.get("ranking") or []:
        key = str(entry.get("intent_response_key", "")).removeprefix(f"{RETRIEVAL_INTENT}/")
        if key and key not in keys:
            keys.append(key)
    return keys


def topic_title(key: str, language: str) -> str:
    """A topic's button title, as curated in its data/faq file."""
    topic = load_topics().get(key)
    return topic.title(language) if topic else key


class ActionClarifyFaq(Action):
    def name(self) -> str:
        return "action_clarify_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = current_language(tracker)
        keys = faq_ranking(tracker.latest_message)[:SUGGESTIONS]
        if not keys:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        buttons = [
            {"title": topic_title(key, language), "payload": "/faq_pick" + json.dumps({"faq_topic": key})}
            for key in keys
        ]
        none_title = variation_for(domain, "utter_none_of_these", language)["text"]
        buttons.append({"title": none_title, "payload": "/faq_pick_none"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        # a typed pick ("第一个", "the second", part of a title) is read by action_handle_fallback
        titles = [(topic_title(key, "zh"), topic_title(key, "en")) for key in keys]
        none_titles = tuple(variation_for(domain, "utter_none_of_these", lang)["text"] for lang in ("zh", "en"))
        return [offer([*(Choice(k, t) for k, t in zip(keys, titles, strict=True)), Choice(NONE_OF_THESE, none_titles)])]


class ActionAnswerFaqPick(Action):
    def name(self) -> str:
        return "action_answer_faq_pick"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        key = tracker.get_slot("faq_topic")
        response = f"utter_{RETRIEVAL_INTENT}/{key}"
        if not key or response not in domain.get("responses", {}):
            dispatcher.utter_message(response="utter_rephrase")
            return [SlotSet("faq_topic", None)]
        dispatcher.utter_message(response=response)
        return [SlotSet("faq_topic", None)]
