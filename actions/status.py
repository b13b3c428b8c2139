"""Complaint status look-up: ticket number + last four digits, slowed then refused on repeated misses."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import wiring
from actions.form_steps import cancel, cancel_requested, cancelled, clear_cancel
from actions.language import current_language
from actions.outage import STORE_DOWN, from_store
from bot.complaints.categories import CATEGORIES
from bot.complaints.ticket import CHINA_STANDARD_TIME
from bot.complaints.views import status_of
from bot.messages import say

TICKET = re.compile(r"C\d{8}-\d{4,5}")
LAST4 = re.compile(r"^\d{4}$")
SLOW_AFTER = 2  # misses before each further try is delayed
REFUSE_AFTER = 5  # misses after which look-ups stop in this conversation
STATUSES = ("open", "in_progress", "resolved", "closed")


def status_label(status: str, language: str) -> str:
    """A complaint's status as the user reads it (the status itself when the catalogue has no words for it)."""
    return say(f"complaint_status.{status}", language) if status in STATUSES else status


def find_ticket(text: str) -> str | None:
    match = TICKET.search(unicodedata.normalize("NFKC", text or "").upper())
    return match.group(0) if match else None


def delay_for(failures: float) -> float:
    """Seconds to wait before answering: none at first, then doubling, capped."""
    return 0.0 if failures < SLOW_AFTER else min(2.0 ** (failures - SLOW_AFTER + 1), 8.0)


class ActionStartStatusLookup(Action):
    def name(self) -> str:
        return "action_start_status_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if (tracker.get_slot("status_failures") or 0) >= REFUSE_AFTER:
            dispatcher.utter_message(response="utter_status_locked")
            return []
        ticket = find_ticket(tracker.latest_message.get("text") or "")
        return [
            SlotSet("status_ticket", ticket),
            SlotSet("status_last4", None),
            *clear_cancel(),
            ActiveLoop("status_form"),
        ]


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if cancelled(tracker) else ["status_ticket", "status_last4"]

    def validate_status_ticket(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("status_ticket", dispatcher, "utter_status_cancelled")
        ticket = find_ticket(str(value or ""))
        if not ticket:
            dispatcher.utter_message(response="utter_invalid_ticket")
        return {"status_ticket": ticket}

    def validate_status_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("status_last4", dispatcher, "utter_status_cancelled")
        digits = unicodedata.normalize("NFKC", str(value or "")).strip()
        if not LAST4.match(digits):
            dispatcher.utter_message(response="utter_invalid_last4")
            return {"status_last4": None}
        return {"status_last4": digits}


class ActionCheckComplaintStatus(Action):
    def name(self) -> str:
        return "action_check_complaint_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        failures = float(tracker.get_slot("status_failures") or 0)
        reset = [SlotSet("status_ticket", None), SlotSet("status_last4", None)]
        if cancelled(tracker):
            return [*reset, *clear_cancel()]
        if failures >= REFUSE_AFTER:
            dispatcher.utter_message(response="utter_status_locked")
            return reset
        await asyncio.sleep(delay_for(failures))
        ticket, last4 = tracker.get_slot("status_ticket"), tracker.get_slot("status_last4")
        deps = wiring.current()
        now = datetime.now(timezone.utc)
        try:
            view = await from_store(lambda: status_of(deps.uow_factory(), ticket, last4, now), "status look-up")
        except STORE_DOWN:
            dispatcher.utter_message(response="utter_status_unavailable")
            return reset
        if view is None:
            dispatcher.utter_message(response="utter_status_not_found")
            return [*reset, SlotSet("status_failures", failures + 1)]
        language = current_language(tracker)
        details = []
        if view.latest_note_to_user:
            details.append(say("status.note_to_user", language, note=view.latest_note_to_user))
        if view.resolution:
            details.append(say("status.resolution", language, resolution=view.resolution))
        dispatcher.utter_message(
            response="utter_status",
            ticket=view.ticket,
            category=CATEGORIES[view.category].labels.in_(language) if view.category in CATEGORIES else view.category,
            status=status_label(str(view.status.value), language),
            deadline=view.deadline.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d"),
            details=" ".join(details),
        )
        if view.overdue:
            dispatcher.utter_message(response="utter_status_appeal")
        return reset


class ActionCancelStatusLookup(Action):
    def name(self) -> str:
        return "action_cancel_status_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_status_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("status_ticket", None)]
