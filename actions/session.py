"""Session start: carry slots over, pick the language, name the deployment, and welcome the user."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import wiring
from actions.language import LANGUAGES, current_language, variation_for
from bot.catalog.operators import UnknownOperator, resolve_operator
from common.events import BOT, USER, intent_of, is_action, kind, session_start_index


def welcomed_already(tracker: Tracker) -> bool:
    """A new conversation opened with `/session_start` starts two sessions back to back
    (Rasa starts one for the new tracker, then the intent starts another): welcome once.

    Rasa stores a session start as `action_session_start`, its welcome, then `session_started`:
    the welcome just before the latest `session_started` belongs to that session.
    """
    events = tracker.events
    begin = session_start_index(events)
    if begin is None:
        return False
    while begin > 0 and (kind(events[begin - 1]) == BOT or is_action(events[begin - 1], "action_session_start")):
        begin -= 1
    session = events[begin:]
    said = [e for e in session if kind(e) == USER and intent_of(e) != "session_start"]
    return any(kind(e) == BOT for e in session) and not said


def operator_of_site(metadata: dict[str, Any], tracker: Tracker) -> str | None:
    """The operator whose website embeds the chat (the widget's data-operator), unless the user named one."""
    if tracker.get_slot("operator"):
        return None
    try:
        return resolve_operator(str(metadata.get("operator") or "")).key
    except UnknownOperator:
        return None


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
        site_operator = operator_of_site(metadata, tracker)
        if site_operator:
            events.append(SlotSet("operator", site_operator))
        if tracker.is_paused():
            # Handed over to a person (a live chat): a new session must not give the conversation
            # back to the bot, nor welcome the user in the middle of it.
            events.append(ConversationPaused())
        elif not welcomed_already(tracker):
            # The server renders responses with the slots as they were before this
            # action's events, so the variation for the chosen language is picked here.
            welcome = variation_for(domain, "utter_welcome", language)
            dispatcher.utter_message(text=welcome["text"], buttons=welcome.get("buttons", []))
        events.append(ActionExecuted("action_listen"))
        return events
