"""A person in the same conversation: queue the request (and pause the bot), or say honestly why
not and offer the complaint record; after the chat, the 1-5 satisfaction question.

The rules of the hand-off live in bot.handoff.services; the desk drives the rest of it through
the Rasa server's hand-off endpoint (rasa_server/channels/handoff.py): the agent's messages, the
end (intent handoff_ended) and nobody accepting (intent handoff_unavailable).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import wiring
from actions.fallback import last_bot_action
from actions.form_steps import CANCELLED, UNCLEAR, cancelled, clear_cancel, latest_text
from actions.language import current_language
from actions.transcript import faq_topics_shown, recent_user_texts
from bot.dialogue.rating import is_skip, read_rating
from bot.handoff import services
from bot.handoff.errors import InvalidRating, NoAgentAvailable, OutsideOpeningHours
from common.events import USER, current_session, intent_of, kind

logger = logging.getLogger(__name__)

RATING = "handoff_rating"
OFFER_COMPLAINT = "utter_handoff_offer_complaint"
OFFER_PERSON = "utter_handoff_offer_person"
NOT_AN_INTENT = {"nlu_fallback", "session_start", "handoff_ended", "handoff_unavailable", None}
LOOKUP_SLOTS = ("last_place", "last_handset", "last_plan", "operator")


def trigger_of(tracker: Tracker) -> str:
    """What made this a request for a person: the words, a "No" to an FAQ answer, or misunderstandings."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        return "misunderstood"
    if last_bot_action(tracker) == OFFER_PERSON:
        return "not_solved"
    return "asked"


def chat_context(tracker: Tracker) -> dict[str, Any]:
    """What the bot understood, for the agent: intents, FAQ topics shown, look-ups, the user's words."""
    intents: list[str] = []
    for event in current_session(tracker.events):
        name = intent_of(event) if kind(event) == USER else None
        if name not in NOT_AN_INTENT and name not in intents:
            intents.append(str(name))
    lookups = {slot: tracker.get_slot(slot) for slot in LOOKUP_SLOTS if tracker.get_slot(slot)}
    return {
        "trigger": trigger_of(tracker),
        "intents": intents,
        "faq_topics": faq_topics_shown(tracker),
        "lookups": lookups,
        "said": recent_user_texts(tracker, limit=5),
    }


def handoff_uow() -> Any:
    factory = wiring.current().handoff_uow_factory
    if factory is None:
        raise RuntimeError("the action server's dependencies have no hand-off unit of work")
    return factory()


class ActionRequestLiveChat(Action):
    """Queues the conversation for a person and pauses the bot; else the honest reason and the complaint offer."""

    def name(self) -> str:
        return "action_request_live_chat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        request = {
            "conversation_id": tracker.sender_id,
            "channel": str(tracker.get_latest_input_channel() or "rest"),
            "language": current_language(tracker),
            "context": chat_context(tracker),
            "now": datetime.now(timezone.utc),
            "policy": wiring.current().handoff_policy,
        }
        try:
            queued = await asyncio.to_thread(services.request_live_chat, handoff_uow(), **request)
        except OutsideOpeningHours as closed:
            dispatcher.utter_message(response="utter_handoff_closed", hours=closed.hours)
            return [FollowupAction(OFFER_COMPLAINT)]
        except NoAgentAvailable:
            dispatcher.utter_message(response="utter_handoff_no_agent")
            return [FollowupAction(OFFER_COMPLAINT)]
        except Exception:  # the desk's database is down: say so, and offer what still works
            logger.exception("live chat request failed for a %s conversation", request["channel"])
            dispatcher.utter_message(response="utter_handoff_failed")
            return [FollowupAction(OFFER_COMPLAINT)]
        logger.info("live chat %s queued at position %s", queued.chat_id, queued.position)
        dispatcher.utter_message(response="utter_handoff_queued", position=max(1, queued.position))
        return [ConversationPaused()]


class ValidateHandoffRatingForm(FormValidationAction):
    """The 1-5 answer: a score is taken, "skip" ends the question, anything else asks again."""

    def name(self) -> str:
        return "validate_handoff_rating_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if cancelled(tracker) else domain_slots

    def validate_handoff_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        rating = read_rating(text)
        if rating is not None:
            return {RATING: rating, UNCLEAR: 0}
        if is_skip(text):
            dispatcher.utter_message(response="utter_handoff_rating_skipped")
            return {RATING: None, CANCELLED: True, UNCLEAR: 0}
        misses = int(tracker.get_slot(UNCLEAR) or 0) + 1
        dispatcher.utter_message(response="utter_handoff_rating_unclear")
        return {RATING: None, UNCLEAR: misses}


class ActionRecordHandoffRating(Action):
    """Stores the rating with the chat that just ended (and its agent), then thanks the user."""

    def name(self) -> str:
        return "action_record_handoff_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        rating = tracker.get_slot(RATING)
        events: list[EventType] = [SlotSet(RATING, None), *clear_cancel()]
        if cancelled(tracker) or rating is None:
            return events
        try:
            await asyncio.to_thread(
                services.record_rating,
                handoff_uow(),
                conversation_id=tracker.sender_id,
                rating=int(rating),
                now=datetime.now(timezone.utc),
            )
        except InvalidRating as error:
            logger.warning("rating not stored: %s", error)
        except Exception:
            logger.exception("rating not stored: the hand-off database failed")
        dispatcher.utter_message(response="utter_handoff_rating_thanks")
        return events
