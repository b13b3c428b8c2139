"""Measured fixes to Rasa 3.6 itself, installed on purpose at start (`python -m rasa_server`, see
rasa_server/startup.py) by the server, training, `rasa test` and the evaluations, never by an import.

They replace private parts of Rasa and were checked against one version (TESTED_RASA_VERSION):
`install` refuses any other. RASA_PATCHES=off installs none; RASA_PATCHES=name,name installs only
those (how docs/rasa-patches.md measures each one's gain).

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
A third, the dialogue states replayed only for the events a turn added
(`Domain.states_for_tracker_history`), was removed on 2026-12-07: through the real servers its
gain was within noise (docs/rasa-patches.md).
Two more fixes served the DIETClassifier and the ResponseSelector (prediction through the
traced graph, one-step stacking of sparse features); they went with those models when the
linear classifier replaced them (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import rasa
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


TESTED_RASA_VERSION = "3.6.21"
SWITCH = "RASA_PATCHES"


class UntestedRasaVersion(RuntimeError):
    """The patches replace private parts of one Rasa version; this is another."""


@dataclass
class Patch:
    """One attribute of a Rasa class replaced; Rasa's own kept to put back."""

    name: str
    owner: type
    attribute: str
    replacement: object
    original: object = field(init=False)

    def __post_init__(self) -> None:
        self.original = self.owner.__dict__[self.attribute]

    def installed(self) -> bool:
        return self.owner.__dict__[self.attribute] is self.replacement


PATCHES = {
    patch.name: patch
    for patch in [
        Patch("action_reply_schema", RemoteAction, "_validate_action_result", _validate_action_result),
        Patch("event_lookup", Event, "resolve_by_type", staticmethod(resolve_event_type)),
    ]
}


def selected(setting: str) -> list[str]:
    """The patches a RASA_PATCHES value names: "on" (or nothing) all, "off" none, or a comma-separated list."""
    setting = setting.strip().lower()
    if setting in {"", "on", "all"}:
        return list(PATCHES)
    if setting in {"off", "none"}:
        return []
    names = [name.strip() for name in setting.split(",") if name.strip()]
    unknown = [name for name in names if name not in PATCHES]
    if unknown:
        raise ValueError(
            f"{SWITCH}={setting!r}: no patch named {', '.join(unknown)} "
            f"(on, off, or a comma-separated list of {', '.join(PATCHES)})"
        )
    return [name for name in PATCHES if name in names]


def check_version(version: str) -> None:
    if version != TESTED_RASA_VERSION:
        raise UntestedRasaVersion(
            f"the Rasa patches (rasa_server/rasa_fixes.py) were tested on Rasa {TESTED_RASA_VERSION}, "
            f"this is Rasa {version}: check each against this version's code, measure it again "
            f"(docs/rasa-patches.md) and update TESTED_RASA_VERSION, or run without them ({SWITCH}=off)"
        )


def install(environ: Mapping[str, str] = os.environ, version: str = rasa.__version__) -> list[str]:
    """Installs the patches the environment selects (all unless RASA_PATCHES says otherwise) and
    puts Rasa's own code back for the others; the names installed. Refuses an untested Rasa."""
    names = selected(environ.get(SWITCH, "on"))
    if names:
        check_version(version)
    for patch in PATCHES.values():
        setattr(patch.owner, patch.attribute, patch.replacement if patch.name in names else patch.original)
    return names


def uninstall() -> None:
    """Rasa's own code everywhere again."""
    for patch in PATCHES.values():
        setattr(patch.owner, patch.attribute, patch.original)


def installed() -> list[str]:
    return [name for name, patch in PATCHES.items() if patch.installed()]
