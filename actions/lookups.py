"""Look-ups for the user: 5G coverage at a place, handset compatibility, plan terms.

Thin adapters: the matching and the facts come from bot.catalog; the wording from
bot.catalog.answers. An ambiguous name is asked about, an unknown one said plainly.
"""

from __future__ import annotations

import abc
import json
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import wiring
from actions.form_steps import OFFERED, cancelled, clear_cancel, latest_text, offer
from actions.language import current_language
from actions.outage import STORE_DOWN, from_store
from bot.catalog import answers
from bot.catalog.errors import InvalidTerminationQuery, UnknownOperator
from bot.catalog.finder import PlanQuery, find_plans, parse_plan_query
from bot.catalog.lookups import (
    PlanTerms,
    catalogue_plans,
    compare_plans,
    coverage_at,
    early_termination_estimate,
    handset_compatibility,
    plan_terms,
)
from bot.catalog.operators import resolve_operator
from bot.dialogue.choices import Choice

T = TypeVar("T")
MONTHS = re.compile(r"(\d{1,2})\s*(?:个月|個月|months?|mos?)", re.IGNORECASE)


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [str(e["value"]) for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]


def remaining_months(text: str) -> int | None:
    match = MONTHS.search(unicodedata.normalize("NFKC", text or ""))
    return int(match.group(1)) if match else None


def operator_for(tracker: Tracker) -> str | None:
    """The operator the user named, else the deploying operator's setting ("all" = every operator)."""
    for name in [*entity_values(tracker, "operator"), tracker.get_slot("operator")]:
        if not name:
            continue
        try:
            return resolve_operator(name).key
        except UnknownOperator:
            continue
    configured = wiring.current().default_operator
    return None if configured == "all" else configured


async def in_session(work: Callable[[Session], T]) -> T:
    """Runs a catalogue query in its own session, off the event loop, within the outage deadline."""
    deps = wiring.current()

    def run() -> T:
        with deps.catalog_session() as session:
            return work(session)

    return await from_store(run, "catalogue look-up")


class AnswerFromCatalogue(Action, metaclass=abc.ABCMeta):
    """A look-up action: `answer` runs the look-up; a database outage gets an honest reply, not silence."""

    @abc.abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if cancelled(tracker):  # the user cancelled the look-up's form: it said so, nothing to answer
            return [*(SlotSet(slot, None) for slot in ("place", "handset", "plan")), *clear_cancel()]
        try:
            return await self.answer(dispatcher, tracker)
        except STORE_DOWN:
            dispatcher.utter_message(response="utter_lookup_unavailable")
            return [SlotSet(slot, None) for slot in ("place", "handset", "plan")]

    @abc.abstractmethod
    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]: ...


def ask_which(
    dispatcher: CollectingDispatcher,
    query: str,
    intent: str,
    choices: list[tuple[str, dict[str, str]]],
    slot: str,
    titles: list[tuple[str, ...]] | None = None,
) -> list[EventType]:
    """One button per candidate; its payload repeats the intent with entities that name it uniquely.

    The look-up's form then waits for the answer, so that a typed pick ("北京", "the second")
    works as a tap does (actions/lookup_forms.py)."""
    choices = choices[:8]
    buttons = [
        {"title": title, "payload": f"/{intent}" + json.dumps(entities, ensure_ascii=False)}
        for title, entities in choices
    ]
    dispatcher.utter_message(response="utter_which_one", query=query, buttons=buttons)
    offered = [
        Choice(entities[slot], (titles[i] if titles else ()) + (title,)) for i, (title, entities) in enumerate(choices)
    ]
    return [
        SlotSet(slot, None),
        offer(offered),
        ActiveLoop(f"{FORMS[slot]}"),
        SlotSet("requested_slot", slot),
        FollowupAction("action_listen"),
    ]


FORMS = {"place": "coverage_form", "handset": "handset_form", "plan": "plan_form"}


def done(slot: str, *events: EventType) -> list[EventType]:
    """The look-up answered (or said why not): nothing of it waits for an answer any more."""
    return [SlotSet(slot, None), SlotSet(OFFERED, None), *events]


class ActionAnswerCoverage(AnswerFromCatalogue):
    def name(self) -> str:
        return "action_answer_coverage"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        language, query = current_language(tracker), str(tracker.get_slot("place") or "")
        operator = operator_for(tracker)
        answer = await in_session(lambda s: coverage_at(s, query, operator))
        if answer.outcome == "unique":
            dispatcher.utter_message(response="utter_lookup_result", answer=answers.coverage_text(answer, language))
            return done("place", SlotSet("last_place", answer.place.label("zh") if answer.place else query))
        if answer.outcome == "ambiguous":
            choices = [(p.label(language), {"place": p.label("zh")}) for p in answer.candidates]
            both = [(p.label("zh"), p.label("en")) for p in answer.candidates]
            return ask_which(dispatcher, query, "check_coverage", choices, "place", both)
        dispatcher.utter_message(response="utter_place_not_found", query=query)
        return done("place")


class ActionAnswerHandset(AnswerFromCatalogue):
    def name(self) -> str:
        return "action_answer_handset"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        language, query = current_language(tracker), str(tracker.get_slot("handset") or "")
        operator = operator_for(tracker)
        answer = await in_session(lambda s: handset_compatibility(s, query, operator))
        if answer.outcome == "unique" and answer.handset:
            dispatcher.utter_message(response="utter_lookup_result", answer=answers.handset_text(answer, language))
            label = f"{answer.handset.brand} {answer.handset.model}"
            return done("handset", SlotSet("last_handset", label))
        if answer.outcome == "ambiguous":
            choices = [(f"{h.brand} {h.model}", {"handset": f"{h.brand} {h.model}"}) for h in answer.candidates]
            return ask_which(dispatcher, query, "check_handset", choices, "handset")
        dispatcher.utter_message(response="utter_handset_not_found", query=query)
        return done("handset")


class ActionAnswerPlan(AnswerFromCatalogue):
    def name(self) -> str:
        return "action_answer_plan"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        language = current_language(tracker)
        operator = operator_for(tracker)
        names = entity_values(tracker, "plan") or [str(tracker.get_slot("plan") or "")]
        query = parse_plan_query(latest_text(tracker))
        if (query.has_criteria and not entity_values(tracker, "plan")) or not any(names):
            return await self._find(dispatcher, tracker, query, operator, language)
        found = [await in_session(lambda s, n=name: plan_terms(s, n, operator)) for name in dict.fromkeys(names)]
        for answer in found:
            if answer.outcome == "ambiguous":
                return self._ask_which(dispatcher, answer.query, answer.candidates, language)
            if answer.outcome == "none":
                dispatcher.utter_message(response="utter_plan_not_found", query=answer.query)
                return done("plan")
        plans = [answer.plan for answer in found if answer.plan]
        if len(plans) >= 2:
            text = answers.comparison_text(compare_plans(plans[0], plans[1]), language)
        elif (months := remaining_months(tracker.latest_message.get("text") or "")) is not None:
            try:
                text = answers.termination_text(early_termination_estimate(plans[0], months), language)
            except InvalidTerminationQuery as error:
                dispatcher.utter_message(response="utter_termination_invalid", reason=str(error))
                return done("plan")
        else:
            text = answers.plan_text(plans[0], language)
        dispatcher.utter_message(response="utter_lookup_result", answer=text)
        return done("plan", SlotSet("last_plan", plans[-1].name))

    @staticmethod
    def _ask_which(
        dispatcher: CollectingDispatcher, query: str, candidates: tuple[PlanTerms, ...], language: str
    ) -> list[EventType]:
        choices = [
            (f"{p.title(language)} · {p.operator.name(language)}", {"plan": p.name, "operator": p.operator.key})
            for p in candidates
        ]
        titles = [(p.name, p.name_en, p.operator.name("zh"), p.operator.name("en")) for p in candidates]
        return ask_which(dispatcher, query, "ask_plan", choices, "plan", titles)

    async def _find(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        query: PlanQuery,
        operator: str | None,
        language: str,
    ) -> list[EventType]:
        """The plan finder: a price, a budget, a data need, 5G or not, a contract length, or a list."""
        plans = await in_session(lambda s: catalogue_plans(s, operator))
        last = tracker.get_slot("last_plan")
        previous = next((p for p in plans if p.name == last), None)
        result = find_plans(plans, query, previous)
        if result.kind == "by_price" and len(result.plans) > 1:
            shown = f"¥{query.price}" if query.price is not None else ""
            return self._ask_which(dispatcher, shown, result.plans, language)
        if result.kind == "by_price":
            plan = result.plans[0]
            months = remaining_months(latest_text(tracker))
            text = (
                answers.termination_text(early_termination_estimate(plan, months), language)
                if months is not None and plan.contract_months >= months > 0
                else answers.plan_text(plan, language)
            )
        else:
            text = answers.finder_text(result, language)
        dispatcher.utter_message(response="utter_lookup_result", answer=text)
        best = result.plans[0].name if result.kind in ("by_price", "best") and result.plans else last
        return done("plan", SlotSet("last_plan", best))


class ActionCancelLookup(Action):
    def name(self) -> str:
        return "action_cancel_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_anything_else")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *(SlotSet(s, None) for s in ("place", "handset", "plan")),
        ]
