"""Session start: carry slots over, pick the language, and welcome the user."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import LANGUAGES, current_language, variation_for


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        language = metadata.get("language")
        if language not in LANGUAGES:
            language = current_language(tracker)
        events: list[EventType] = [SessionStarted()]
        events.extend(
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if value is not None and name not in {"language", "session_started_metadata"}
        )
        events.append(SlotSet("language", language))
        # The server renders responses with the slots as they were before this
        # action's events, so the variation for the chosen language is picked here.
        welcome = variation_for(domain, "utter_welcome", language)
        dispatcher.utter_message(text=welcome["text"], buttons=welcome.get("buttons", []))
        events.append(ActionExecuted("action_listen"))
        return events
