"""The one reader of Rasa's events: what a conversation's event dictionaries say.

Rasa hands its events out in one shape everywhere, the dictionary of `Event.as_dict()`:
`tracker.events` in an action (rasa-sdk), the server's `tracker.current_state()["events"]`,
the `data` column of the SQL tracker store's `events` table (`decode`), the REST API's
`/conversations/<id>/tracker` and the event broker's messages (which add `sender_id`).
The fields read here:

    {"event": "user", "timestamp": 1700000000.0, "text": "5G没信号", "input_channel": "socketio",
     "message_id": "...", "metadata": {"language": "zh", ...},
     "parse_data": {"intent": {"name": "report_problem", ...}, "response_selector": {...}}}
    {"event": "bot", "timestamp": ..., "text": "...", "data": {"buttons": [...]},
     "metadata": {"utter_action": "utter_faq/plan_change", ...}}
    {"event": "action", "name": "utter_did_that_help", ...}
    {"event": "slot", "name": "language", "value": "en"}
    {"event": "session_started"}   {"event": "active_loop", "name": "complaint_form"}

Use the functions on single events (`kind`, `intent_of`, `text_of`, ...) and on a list of
them (`current_session`, `turns`, `latest_slot`, `latest_language`). A field that is
missing or malformed reads as empty (None, "", {}), never as an error: events written by
older Rasa versions and by other tools are read the same way.

Standard library only (see `common`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

Event = Mapping[str, Any]

USER = "user"
BOT = "bot"
ACTION = "action"
SLOT = "slot"
SESSION_STARTED = "session_started"
ACTIVE_LOOP = "active_loop"
LANGUAGE_SLOT = "language"


def decode(data: str | bytes | None) -> dict[str, Any]:
    """An event as the SQL tracker store keeps it (JSON text), or {} when it is not a JSON object."""
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def kind(event: Event) -> str:
    """The event's type: "user", "bot", "action", "slot", "session_started", ... ("" if unknown)."""
    return str(event.get("event") or "")


def name_of(event: Event) -> str | None:
    """The name an action, slot or active-loop event carries (None for the other kinds)."""
    name = event.get("name")
    return str(name) if name is not None else None


def is_action(event: Event, name: str | None = None) -> bool:
    """True for an executed action (of that name, when one is given)."""
    return kind(event) == ACTION and (name is None or name_of(event) == name)


def text_of(event: Event) -> str:
    """The words of a user or bot event ("" when it has none)."""
    return str(event.get("text") or "")


def metadata_of(event: Event) -> dict[str, Any]:
    value = event.get("metadata")
    return dict(value) if isinstance(value, Mapping) else {}


def parse_data_of(event: Event) -> dict[str, Any]:
    value = event.get("parse_data")
    return dict(value) if isinstance(value, Mapping) else {}


def intent_of(event: Event) -> str | None:
    """The intent NLU gave a user event (None for other events or an unparsed message)."""
    intent = parse_data_of(event).get("intent")
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return str(name) if name else None


def retrieval_key_of(event: Event, retrieval_intent: str) -> str | None:
    """The response key ("faq/plan_change") the response selector chose for a user event, if any."""
    selector = parse_data_of(event).get("response_selector")
    if not isinstance(selector, Mapping):
        return None
    chosen = selector.get(retrieval_intent) or selector.get("default") or {}
    response = chosen.get("response") if isinstance(chosen, Mapping) else None
    key = response.get("intent_response_key") if isinstance(response, Mapping) else None
    return str(key) if key else None


def utter_action_of(event: Event) -> str:
    """The response a bot event uttered ("utter_faq/plan_change"); "" when it was not a domain response."""
    return str(metadata_of(event).get("utter_action") or "")


def timestamp_of(event: Event) -> datetime:
    """When the event happened, in UTC (the epoch when it carries no time)."""
    try:
        seconds = float(event.get("timestamp") or 0)
    except (TypeError, ValueError):
        seconds = 0.0
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def session_start_index(events: Sequence[Event]) -> int | None:
    """The position of the latest `session_started` event, None when the conversation has none."""
    for index in range(len(events) - 1, -1, -1):
        if kind(events[index]) == SESSION_STARTED:
            return index
    return None


def current_session(events: Sequence[Event]) -> list[Event]:
    """The events since the latest session start (all of them when there is none)."""
    start = session_start_index(events)
    return list(events[start:] if start is not None else events)


@dataclass(frozen=True)
class Turn:
    """A user message or bot utterance with words in it."""

    role: Literal["user", "bot"]
    text: str
    timestamp: datetime
    intent: str | None = None  # user turns only
    metadata: dict[str, Any] = field(default_factory=dict)
    event: Event = field(default_factory=dict, repr=False)  # the event as Rasa wrote it


def turns(events: Sequence[Event] | Iterator[Event]) -> Iterator[Turn]:
    """The user and bot events whose text is not blank, in the order given."""
    for event in events:
        role = kind(event)
        if role not in (USER, BOT) or not text_of(event).strip():
            continue
        yield Turn(
            role="user" if role == USER else "bot",
            text=text_of(event),
            timestamp=timestamp_of(event),
            intent=intent_of(event),
            metadata=metadata_of(event),
            event=event,
        )


def latest_slot(events: Sequence[Event], name: str, default: Any = None) -> Any:
    """The value the latest `slot` event gave slot `name` (`default` when none set it)."""
    for event in reversed(events):
        if kind(event) == SLOT and name_of(event) == name:
            return event.get("value")
    return default


def latest_language(events: Sequence[Event], languages: Sequence[str] = ("zh", "en")) -> str | None:
    """The conversation's language as last known: the `language` slot, or the language the channel
    wrote into a user message's metadata, whichever came later (None when neither is in `languages`)."""
    for event in reversed(events):
        if kind(event) == SLOT and name_of(event) == LANGUAGE_SLOT:
            value = event.get("value")
        elif kind(event) == USER:
            value = metadata_of(event).get("language")
        else:
            continue
        if value in languages:
            return str(value)
    return None
