"""One rule for every form: an explicit cancel stops it, a yes/no step reads the words itself,
and a typed choice is matched against the choices offered.

Every form's slots are filled from the text whatever the NLU intent is (domain/), so the
form always sees the answer; its validation calls these helpers first. A cancel sets
`form_cancelled`; the form's `required_slots` then returns nothing, the form ends, and the
action that runs at its end (submit, status, look-up) sees the flag and does nothing.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.choices import Choice, choices_from_slot, resolve_choice
from bot.dialogue.replies import is_cancel, read_reply

CANCELLED = "form_cancelled"
OFFERED = "offered_choices"
UNCLEAR = "unclear_answers"


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def cancel_requested(tracker: Tracker) -> bool:
    """The user's latest words are an explicit cancel ("算了", "never mind", the Cancel button)."""
    return is_cancel(latest_text(tracker))


def cancelled(tracker: Tracker) -> bool:
    return tracker.get_slot(CANCELLED) is True


def cancel(slot: str, dispatcher: CollectingDispatcher, response: str) -> dict[str, Any]:
    """Ends the form at this step: says so, keeps nothing of the step's answer."""
    dispatcher.utter_message(response=response)
    return {slot: None, CANCELLED: True, UNCLEAR: 0, OFFERED: None}


def clear_cancel() -> list[EventType]:
    return [SlotSet(CANCELLED, None), SlotSet(UNCLEAR, 0), SlotSet(OFFERED, None)]


def yes_no_step(
    slot: str, tracker: Tracker, dispatcher: CollectingDispatcher, cancelled_response: str
) -> dict[str, Any]:
    """A yes/no question of a form: yes fills the slot, a no or a cancel ends the form, anything
    else asks again (the form repeats the question with its buttons), the second time in a row
    also saying how to stop."""
    reply = read_reply(latest_text(tracker))
    if reply == "yes":
        return {slot: True, UNCLEAR: 0}
    if reply in ("no", "cancel"):
        return cancel(slot, dispatcher, cancelled_response)
    misses = int(tracker.get_slot(UNCLEAR) or 0) + 1
    dispatcher.utter_message(response="utter_yes_no_unclear" if misses == 1 else "utter_yes_no_unclear_offer_cancel")
    return {slot: None, UNCLEAR: misses}


def offer(choices: list[Choice]) -> SlotSet:
    """Remembers what the buttons offered, so that a typed answer can pick one."""
    return SlotSet(OFFERED, [choice.as_slot() for choice in choices])


def typed_choice(tracker: Tracker, text: str | None = None) -> Choice | None:
    """The offered choice the user's words, number or ordinal name, if exactly one."""
    return resolve_choice(latest_text(tracker) if text is None else text, choices_from_slot(tracker.get_slot(OFFERED)))
