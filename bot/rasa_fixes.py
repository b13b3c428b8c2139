"""Measured fixes to Rasa 3.6 itself, installed when the Rasa server loads the project's channels.

1. Rasa checks every custom action's reply against its JSON schema with
   `jsonschema.validate`, which first checks the schema itself against the JSON Schema
   meta-schema: about 40 ms of CPU on every call to the action server on this machine
   (docs/benchmarks.md), more than the rest of a form turn. The same check with the
   validator built once gives the same results and the same errors in well under a
   millisecond.
2. Every event read back from the tracker store finds its class with
   `Event.resolve_by_type`, which walks the whole Event class tree (with
   `inspect.isabstract` on each class) for every single event: about 65 us each here, so
   8 ms of CPU for a turn that reads a 120-event window. The same lookup from a table
   built from that walk, rebuilt whenever a name is missing (a subclass imported later),
   returns the same class.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator of the action server's reply format, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


_rasa_resolve_by_type = Event.resolve_by_type
_event_types: dict[str, type[Event]] = {}


def _event_type_table() -> dict[str, type[Event]]:
    table: dict[str, type[Event]] = {}
    # Rasa returns the first class of the walk with the name: keep the first one.
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type` from a table; unknown names go to Rasa's own (its errors, "topic", default)."""
    global _event_types
    cls = _event_types.get(type_name)
    if cls is None:
        _event_types = _event_type_table()
        cls = _event_types.get(type_name)
    return cls if cls is not None else _rasa_resolve_by_type(type_name, default)


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
