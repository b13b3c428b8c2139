"""The user's personal data in the chat (PIPL): see what is kept about their complaint, or ask for erasure.

Verified as the status look-up is (ticket and the last four digits of the number, with the same growing
delay and lock-out after misses, counted in `status_failures`); an erasure request reaches the desk, where a
supervisor confirms it (bot.desk.privacy). With the database down, an honest answer within 2 seconds.
"""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import wiring
from actions.language import current_language
from actions.outage import STORE_DOWN, from_store
from actions.status import LAST4, REFUSE_AFTER, delay_for, find_ticket, status_label
from bot.complaints import views
from bot.complaints.categories import CATEGORIES
from bot.complaints.services import request_erasure
from bot.complaints.ticket import CHINA_STANDARD_TIME
from bot.messages import say

ERASE_INTENT = "delete_my_data"


def _day(moment: datetime | None) -> str:
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d") if moment else ""


def _when_erased(kept: views.KeptData, retention_days: int, language: str) -> str:
    if kept.erase_after:
        return say("privacy.erased_on", language, day=_day(kept.erase_after))
    return say("privacy.erased_after_closing", language, days=retention_days)


class ActionStartPrivacyRequest(Action):
    def name(self) -> str:
        return "action_start_privacy_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if (tracker.get_slot("status_failures") or 0) >= REFUSE_AFTER:
            dispatcher.utter_message(response="utter_status_locked")
            return []
        erase = (tracker.latest_message.get("intent") or {}).get("name") == ERASE_INTENT
        ticket = find_ticket(tracker.latest_message.get("text") or "")
        return [
            SlotSet("privacy_erase", erase),
            SlotSet("privacy_ticket", ticket),
            SlotSet("privacy_last4", None),
            ActiveLoop("privacy_form"),
        ]


class ValidatePrivacyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_privacy_form"

    def validate_privacy_ticket(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        ticket = find_ticket(str(value or ""))
        if not ticket:
            dispatcher.utter_message(response="utter_invalid_ticket")
        return {"privacy_ticket": ticket}

    def validate_privacy_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        digits = unicodedata.normalize("NFKC", str(value or "")).strip()
        if not LAST4.match(digits):
            dispatcher.utter_message(response="utter_invalid_last4")
            return {"privacy_last4": None}
        return {"privacy_last4": digits}


class ActionAnswerPrivacyRequest(Action):
    def name(self) -> str:
        return "action_answer_privacy_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        failures = float(tracker.get_slot("status_failures") or 0)
        reset = [SlotSet("privacy_ticket", None), SlotSet("privacy_last4", None), SlotSet("privacy_erase", None)]
        if failures >= REFUSE_AFTER:
            dispatcher.utter_message(response="utter_status_locked")
            return reset
        await asyncio.sleep(delay_for(failures))
        ticket, last4 = str(tracker.get_slot("privacy_ticket") or ""), str(tracker.get_slot("privacy_last4") or "")
        deps, now = wiring.current(), datetime.now(timezone.utc)

        def look_up() -> views.KeptData | None:
            if tracker.get_slot("privacy_erase") and not request_erasure(deps.uow_factory(), ticket, last4, now):
                return None
            return views.kept_data(deps.uow_factory(), ticket, last4, deps.retention_days)

        try:
            kept = await from_store(look_up, "personal data request")
        except STORE_DOWN:
            dispatcher.utter_message(response="utter_privacy_unavailable")
            return reset
        if kept is None:
            dispatcher.utter_message(response="utter_status_not_found")
            return [*reset, SlotSet("status_failures", failures + 1)]
        language = current_language(tracker)
        category = CATEGORIES[kept.category].labels.in_(language) if kept.category in CATEGORIES else kept.category
        dispatcher.utter_message(
            response="utter_privacy_kept",
            ticket=kept.ticket,
            phone=kept.contact_phone,
            category=category,
            created=_day(kept.created_at),
            messages=kept.transcript_messages,
            status=status_label(str(kept.status.value), language),
            erase_after=_when_erased(kept, deps.retention_days, language),
        )
        if kept.erasure_requested:
            dispatcher.utter_message(response="utter_privacy_erasure_requested")
        else:
            dispatcher.utter_message(response="utter_privacy_how_to_erase")
        return reset


class ActionCancelPrivacyRequest(Action):
    def name(self) -> str:
        return "action_cancel_privacy_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_privacy_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("privacy_ticket", None),
            SlotSet("privacy_last4", None),
            SlotSet("privacy_erase", None),
        ]
