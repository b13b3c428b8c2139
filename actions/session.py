"""Session start: carry slots over, pick the language, name the deployment, and welcome the user."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import wiring
from actions.language import LANGUAGES, current_language, variation_for
from actions.transcript import current_session, intent_of


def welcomed_already(tracker: Tracker) -> bool:
    """A new conversation opened with `/session_start` starts two sessions back to back
    (Rasa starts one for the new tracker, then the intent starts another): welcome once."""
    if not any(e.get("event") == "session_started" for e in tracker.events):
        return False
    session = current_session(tracker.events)
    said = [e for e in session if e.get("event") == "user" and intent_of(e) != "session_start"]
    return any(e.get("event") == "bot" for e in session) and not said


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
        # who runs this bot: the FAQ's complaint and privacy answers and the complaint form name it
        events.extend(SlotSet(name, value) for name, value in wiring.current().deployment.slots().items())
        if not welcomed_already(tracker):
            # The server renders responses with the slots as they were before this
            # action's events, so the variation for the chosen language is picked here.
            welcome = variation_for(domain, "utter_welcome", language)
            dispatcher.utter_message(text=welcome["text"], buttons=welcome.get("buttons", []))
        events.append(ActionExecuted("action_listen"))
        return events
