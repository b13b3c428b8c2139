"""Not understood: ask to rephrase; the second time in a row, offer a complaint record instead."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.transcript import current_session, intent_of

NOT_UNDERSTOOD = {"nlu_fallback"}


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the user's latest messages in a row the bot did not understand."""
    count = 0
    for event in reversed(current_session(tracker.events)):
        if event.get("event") != "user":
            continue
        if intent_of(event) not in NOT_UNDERSTOOD:
            break
        count += 1
    return count


class ActionHandleFallback(Action):
    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if misunderstood_in_a_row(tracker) >= 2:
            return [FollowupAction("utter_offer_escalation")]
        dispatcher.utter_message(response="utter_rephrase")
        return []
