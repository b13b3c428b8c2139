"""The complaint form: collect, confirm, file (or spool), cancel. Rules live in bot.complaints."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import unicodedata
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import wiring
from actions.form_steps import cancel, cancel_requested, cancelled, clear_cancel, offer, typed_choice, yes_no_step
from actions.language import current_language
from actions.transcript import faq_topics_shown, recent_user_texts, transcript
from bot.catalog.errors import UnknownOperator
from bot.catalog.operators import OPERATORS, operator_in
from bot.complaints.categories import CATEGORIES, suggest_category
from bot.complaints.errors import InvalidPhone
from bot.complaints.model import ComplaintDraft
from bot.complaints.phone import mask_phone, normalise_mainland_mobile
from bot.complaints.spool import submit_or_spool
from bot.complaints.ticket import CHINA_STANDARD_TIME
from bot.dialogue.choices import Choice
from common.events import ACTIVE_LOOP, kind, name_of

logger = logging.getLogger(__name__)

FORM = "complaint_form"
FORM_SLOTS = (
    "complaint_category",
    "complaint_description",
    "complaint_phone",
    "complaint_operator",
    "complaint_place",
    "complaint_handset",
    "complaint_consent",
    "complaint_confirmed",
    "complaint_elsewhere",
)
CANCELLED = "utter_complaint_cancelled"
NEEDS_PLACE = {"coverage_signal", "speed"}
NEEDS_HANDSET = {"handset"}
MIN_DESCRIPTION = 4
PHONE_IN_WORDS = re.compile(r"(?:\+|00)?(?:86[\s-]*)?\d[\d\s-]{5,16}\d")
# What a FAQ topic's key says about the complaint a user has after it did not help.
FAQ_PREFIX_CATEGORY = {
    "coverage_": "coverage_signal",
    "handset_": "handset",
    "plan_early_termination": "contract_termination",
    "plan_contract_period": "contract_termination",
    "plan_number_portability": "number_portability",
    "plan_unexpected_charges": "billing",
    "plan_throttling": "speed",
    "plan_": "plan_change",
    "rights_unauthorized_change": "unauthorized_change",
    "rights_misleading_marketing": "misleading_marketing",
}


def choice_button(title: str, key: str) -> dict[str, str]:
    return {"title": title, "payload": "/choose" + json.dumps({"choice": key})}


def category_from_faq(topics: list[str]) -> str | None:
    for topic in reversed(topics):
        for prefix, category in FAQ_PREFIX_CATEGORY.items():
            if topic.startswith(prefix):
                return category
    return None


def suggested_category(tracker: Tracker) -> str | None:
    """From the user's words first, then from the FAQ topic that did not help."""
    language = current_language(tracker)
    for text in reversed(recent_user_texts(tracker, limit=5)):
        if category := suggest_category(text, language):
            return category
    return category_from_faq(faq_topics_shown(tracker))


def reset_form_slots() -> list[EventType]:
    return [*(SlotSet(slot, None) for slot in FORM_SLOTS), *clear_cancel()]


class ActionStartComplaint(Action):
    """Starts the form, reusing what the user already said as the description."""

    def name(self) -> str:
        return "action_start_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = reset_form_slots()
        said = [t for t in recent_user_texts(tracker, limit=5) if len(t) >= 8]
        if said:
            events.append(SlotSet("complaint_description", "\n".join(said)[:1000]))
        # a look-up that did not solve it: the place or phone is already known
        if place := tracker.get_slot("place") or tracker.get_slot("last_place"):
            events.append(SlotSet("complaint_place", place))
        if handset := tracker.get_slot("handset") or tracker.get_slot("last_handset"):
            events.append(SlotSet("complaint_handset", handset))
        return [*events, ActiveLoop(FORM)]


class ActionAskComplaintCategory(Action):
    def name(self) -> str:
        return "action_ask_complaint_category"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = current_language(tracker)
        suggested = suggested_category(tracker)
        keys = sorted(CATEGORIES, key=lambda k: k != suggested)
        buttons = [choice_button(CATEGORIES[k].labels.in_(language), k) for k in keys]
        if suggested:
            label = CATEGORIES[suggested].labels.in_(language)
            dispatcher.utter_message(response="utter_ask_category_suggested", suggested=label, buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_ask_category_open", buttons=buttons)
        labels = (CATEGORIES[k].labels for k in keys)
        return [offer([Choice(k, (label.zh, label.en)) for k, label in zip(keys, labels, strict=True)])]


class ActionAskComplaintOperator(Action):
    def name(self) -> str:
        return "action_ask_complaint_operator"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = current_language(tracker)
        buttons = [choice_button(op.name(language), key) for key, op in OPERATORS.items()]
        dispatcher.utter_message(response="utter_ask_operator", buttons=buttons)
        return [offer([Choice(key, (op.name("zh"), op.name("en"))) for key, op in OPERATORS.items()])]


def summary_fields(tracker: Tracker) -> dict[str, str]:
    language = current_language(tracker)
    category = tracker.get_slot("complaint_category")
    operator = tracker.get_slot("complaint_operator")
    extra = ""
    if place := tracker.get_slot("complaint_place"):
        extra += ("\n地点：" if language == "zh" else "\nPlace: ") + place
    if handset := tracker.get_slot("complaint_handset"):
        extra += ("\n手机型号：" if language == "zh" else "\nHandset: ") + handset
    return {
        "category": CATEGORIES[category].labels.in_(language) if category in CATEGORIES else str(category),
        "description": str(tracker.get_slot("complaint_description") or ""),
        "phone": mask_phone(str(tracker.get_slot("complaint_phone") or "")),
        "operator": OPERATORS[operator].name(language) if operator in OPERATORS else str(operator),
        "extra": extra,
    }


class ActionAskComplaintConfirmed(Action):
    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_complaint_summary", **summary_fields(tracker))
        return []


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        answers = (tracker.get_slot("complaint_consent"), tracker.get_slot("complaint_confirmed"))
        if cancelled(tracker) or False in answers:
            return []  # the user said no or cancelled: the form ends and nothing is filed
        if tracker.get_slot("complaint_elsewhere"):
            return []  # another operator's customer: pointed to its hotline, nothing is filed
        category = tracker.get_slot("complaint_category")
        skip = set()
        if category not in NEEDS_PLACE:
            skip.add("complaint_place")
        if category not in NEEDS_HANDSET:
            skip.add("complaint_handset")
        return [slot for slot in domain_slots if slot not in skip]

    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("complaint_category", dispatcher, CANCELLED)
        text = str(value or "").strip()
        if text in CATEGORIES:
            return {"complaint_category": text}
        if (choice := typed_choice(tracker, text)) and choice.value in CATEGORIES:
            return {"complaint_category": choice.value}
        language = current_language(tracker)
        for key, category in CATEGORIES.items():
            if text in (category.labels.zh, category.labels.en) or text.lower() == category.labels.en.lower():
                return {"complaint_category": key}
        if suggestion := suggest_category(text, language):
            return {"complaint_category": suggestion}
        dispatcher.utter_message(response="utter_invalid_category")
        return {"complaint_category": None}

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("complaint_description", dispatcher, CANCELLED)
        text = str(value or "").strip()
        if len(text) < MIN_DESCRIPTION:
            dispatcher.utter_message(response="utter_description_too_short")
            return {"complaint_description": None}
        return {"complaint_description": text[:1000]}

    def validate_complaint_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("complaint_phone", dispatcher, CANCELLED)
        text = str(value or "")
        try:
            return {"complaint_phone": normalise_mainland_mobile(text)}
        except InvalidPhone as error:
            # "我的手机号是138 1234 5678", "my number is +86 139-1234-5678": the number inside the words
            if error.reason == "not_digits" and (number := PHONE_IN_WORDS.search(unicodedata.normalize("NFKC", text))):
                try:
                    return {"complaint_phone": normalise_mainland_mobile(number.group(0))}
                except InvalidPhone as inner:
                    error = inner
            dispatcher.utter_message(response=f"utter_invalid_phone_{error.reason}")
            return {"complaint_phone": None}

    def validate_complaint_operator(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("complaint_operator", dispatcher, CANCELLED)
        try:
            operator = operator_in(str(value or ""))
        except UnknownOperator:
            choice = typed_choice(tracker, str(value or ""))  # "2", "the third", part of a name
            if not (choice and choice.value in OPERATORS):
                dispatcher.utter_message(response="utter_invalid_operator")
                return {"complaint_operator": None}
            operator = OPERATORS[choice.value]
        if wiring.current().deployment.handles(operator.key):
            return {"complaint_operator": operator.key}
        # Order 35 Art. 13: a complaint to the wrong operator helps nobody and an appeal without
        # one to the user's own operator is sent back; collect nothing more, point to its hotline.
        language = current_language(tracker)
        dispatcher.utter_message(
            response="utter_complaint_other_operator", operator=operator.name(language), hotline=operator.hotline
        )
        return {"complaint_operator": operator.key, "complaint_elsewhere": True}

    def validate_complaint_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("complaint_place", dispatcher, CANCELLED)
        text = str(value or "").strip()
        return {"complaint_place": text[:200] or None}

    def validate_complaint_handset(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if cancel_requested(tracker):
            return cancel("complaint_handset", dispatcher, CANCELLED)
        text = str(value or "").strip()
        return {"complaint_handset": text[:100] or None}

    def validate_complaint_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return yes_no_step("complaint_consent", tracker, dispatcher, CANCELLED)

    def validate_complaint_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return yes_no_step("complaint_confirmed", tracker, dispatcher, CANCELLED)


def idempotency_key(tracker: Tracker) -> str:
    """Same conversation, same form run -> same key: a retried or repeated submit files one record."""
    started = next(
        (e.get("timestamp") for e in reversed(tracker.events) if kind(e) == ACTIVE_LOOP and name_of(e) == FORM),
        None,
    )
    return hashlib.sha256(f"{tracker.sender_id}|{started}".encode()).hexdigest()[:32]


def draft_from(tracker: Tracker, now: datetime) -> ComplaintDraft:
    return ComplaintDraft(
        channel=str(tracker.get_latest_input_channel() or "unknown"),
        sender_id=tracker.sender_id,
        language=current_language(tracker),  # type: ignore[arg-type]
        category=str(tracker.get_slot("complaint_category")),
        description=str(tracker.get_slot("complaint_description") or ""),
        contact_phone=str(tracker.get_slot("complaint_phone") or ""),
        operator=str(tracker.get_slot("complaint_operator") or ""),
        consent_given_at=now,
        place=tracker.get_slot("complaint_place"),
        handset=tracker.get_slot("complaint_handset"),
        transcript=transcript(tracker),
        faq_topics_shown=faq_topics_shown(tracker),
    )


class ActionSubmitComplaint(Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("complaint_confirmed") is not True:
            return reset_form_slots()
        deps = wiring.current()
        now = datetime.now(timezone.utc)
        draft = draft_from(tracker, now)
        # Synchronous database work runs off the event loop.
        await asyncio.to_thread(deps.spool.drain, deps.uow_factory)
        complaint, queued = await asyncio.to_thread(
            submit_or_spool, deps.uow_factory, deps.spool, draft, now, idempotency_key(tracker)
        )
        if queued or complaint is None:
            logger.warning(
                "complaint queued in the spool (database unreachable), phone %s", mask_phone(draft.contact_phone)
            )
            dispatcher.utter_message(response="utter_complaint_queued")
        else:
            logger.info("complaint %s filed, phone %s", complaint.ticket, mask_phone(draft.contact_phone))
            deadline = complaint.deadline.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d")
            operator = OPERATORS.get(draft.operator)
            dispatcher.utter_message(
                response="utter_complaint_filed",  # a neutral deployment's variation says it is forwarded
                ticket=complaint.ticket,
                deadline=deadline,
                operator=operator.name(draft.language) if operator else draft.operator,
                hotline=operator.hotline if operator else "",
            )
        return reset_form_slots()


class ActionCancelComplaint(Action):
    def name(self) -> str:
        return "action_cancel_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_complaint_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form_slots()]
