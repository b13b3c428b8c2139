"""Validation of the look-up forms (coverage, handset, plan): the same cancel rule as every form,
a typed answer to "which one do you mean?", and a follow-up's subject taken from its words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_steps import OFFERED, cancel, cancel_requested, cancelled, latest_text, typed_choice
from bot.catalog.finder import has_plan_criteria

CANCELLED = "utter_lookup_cancelled"
# "那小米13呢", "换成Pixel 7呢", "what about the Find X5?": the words around a follow-up's subject.
FOLLOW_UP_ZH = re.compile(
    r"^(?:那|那么|还有|换成|换|如果是|要是|那如果是)?\s*(.+?)\s*(?:呢|怎么样|行不行|可以吗)[?？。!！]*$"
)
FOLLOW_UP_EN = re.compile(
    r"^(?:and |so )?(?:what about|how about|and|what of)\s+(?:the |a |an |my )?(.+?)(?: then)?\s*[?.!]*$",
    re.IGNORECASE,
)
MAX_SUBJECT = 24


def follow_up_subject(text: str) -> str | None:
    """What a short follow-up names: "那小米13呢" -> "小米13", "what about the Pixel 7?" -> "Pixel 7"."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text or text.startswith("/"):
        return None
    match = FOLLOW_UP_EN.match(text) or FOLLOW_UP_ZH.match(text)
    subject = match.group(1).strip() if match else ""
    if not subject or len(subject) > MAX_SUBJECT or not re.search(r"[A-Za-z0-9]", subject):
        return None  # a model has letters or digits in its name
    return subject


def answering_which_one(tracker: Tracker, slot: str) -> bool:
    """The form was waiting for the user to pick one of the offered candidates."""
    return tracker.get_slot("requested_slot") == slot and bool(tracker.get_slot(OFFERED))


def pick_or_keep(slot: str, value: Any, tracker: Tracker) -> dict[str, Any]:
    """A typed pick of an offered candidate ("北京", "the second"), else the words as a new query."""
    text = latest_text(tracker)
    if answering_which_one(tracker, slot) and not text.startswith("/"):
        if choice := typed_choice(tracker):
            return {slot: choice.value, OFFERED: None}
    query = str(value or "").strip()
    return {slot: query[:100] or None, OFFERED: None}


class ValidateCoverageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_coverage_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if cancelled(tracker) else ["place"]

    def validate_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("place", dispatcher, CANCELLED)
        return pick_or_keep("place", value, tracker)


class ValidateHandsetForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handset_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if cancelled(tracker) else ["handset"]

    async def extract_handset(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A follow-up naming a phone the catalogue does not know ("那小米13呢") still names it,
        so the answer can say plainly that it is not in the catalogue instead of asking again."""
        if tracker.get_slot("handset") or tracker.get_slot("requested_slot"):
            return {}
        subject = follow_up_subject(latest_text(tracker))
        return {"handset": subject} if subject else {}

    def validate_handset(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("handset", dispatcher, CANCELLED)
        return pick_or_keep("handset", value, tracker)


class ValidatePlanForm(FormValidationAction):
    def name(self) -> str:
        return "validate_plan_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if cancelled(tracker):
            return []
        if not tracker.get_slot("requested_slot") and has_plan_criteria(latest_text(tracker)):
            return []  # a plan question the finder answers without a plan's name
        return ["plan"]

    def validate_plan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("plan", dispatcher, CANCELLED)
        return pick_or_keep("plan", value, tracker)
