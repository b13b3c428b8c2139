"""Not understood: ask to rephrase; the second time in a row, ask for a person (else the complaint offer)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.faq import NONE_OF_THESE, RETRIEVAL_INTENT
from actions.form_steps import OFFERED, typed_choice
from common.events import USER, current_session, intent_of, is_action, kind, name_of

NOT_UNDERSTOOD = {"nlu_fallback"}


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the user's latest messages in a row the bot did not understand."""
    count = 0
    for event in reversed(current_session(tracker.events)):
        if kind(event) != USER:
            continue
        if intent_of(event) not in NOT_UNDERSTOOD:
            break
        count += 1
    return count


def last_bot_action(tracker: Tracker) -> str | None:
    """The bot's last action before the user's latest message (action_listen aside)."""
    seen_user = False
    for event in reversed(tracker.events):
        if kind(event) == USER:
            if seen_user:
                return None
            seen_user = True
        elif seen_user and is_action(event) and name_of(event) != "action_listen":
            return name_of(event)
    return None


class ActionHandleFallback(Action):
    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if last_bot_action(tracker) == "action_clarify_faq" and (choice := typed_choice(tracker)):
            # "第一个", "the second one" typed instead of tapping a "Did you mean" button
            if choice.value == NONE_OF_THESE:
                dispatcher.utter_message(response="utter_rephrase")
                return [SlotSet(OFFERED, None)]
            dispatcher.utter_message(response=f"utter_{RETRIEVAL_INTENT}/{choice.value}")
            return [SlotSet(OFFERED, None), FollowupAction("utter_did_that_help")]
        if misunderstood_in_a_row(tracker) >= 2:
            return [FollowupAction("action_request_live_chat")]
        dispatcher.utter_message(response="utter_rephrase")
        return []
