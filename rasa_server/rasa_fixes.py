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
3. RulePolicy computes the dialogue states of the whole tracker (Rasa's
   `Domain.states_for_tracker_history`: replay every event on a fresh tracker, one state
   per action) for every prediction, and twice right after a user message (once with the
   text, once with the intent): four times in an FAQ turn, each over the same events plus
   the few the turn added. The fix keeps, on the tracker object of the turn, the replayed
   tracker and the states computed so far, and replays only the events added since, as
   long as the applied events still start with the ones it replayed (a reverted or
   restarted conversation is replayed from the start). Every call returns fresh copies of
   the states, the same as Rasa's own.
Two more fixes served the DIETClassifier and the ResponseSelector (prediction through the
traced graph, one-step stacking of sparse features); they went with those models when the
linear classifier replaced them (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import rasa
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
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


rasa_states_for_tracker_history = Domain.states_for_tracker_history
# Where a tracker keeps its replay, per set of arguments (see _StatesSoFar).
STATES_SO_FAR = "_project_states_so_far"


@dataclass
class _StatesSoFar:
    """Rasa's `states_for_tracker_history` loop, stopped after `events`: its variables."""

    replay: DialogueStateTracker
    events: list[Event] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    last_ml_action_sub_state: SubState | None = None
    turn_was_hidden: bool = False


def _add_state(
    domain: Domain,
    so_far: _StatesSoFar,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: dict[str, Any] | None,
) -> None:
    """One pass of the loop in Rasa's `Domain.states_for_tracker_history`, on `so_far.replay`."""
    tracker = so_far.replay
    if ignore_rule_only_turns:
        if not so_far.turn_was_hidden:
            # Rasa annotates this Dict[Text, Text] and stores it as a SubState, as here.
            so_far.last_ml_action_sub_state = cast("SubState | None", domain._get_prev_action_sub_state(tracker))
        if not tracker.followup_action and not tracker.latest_action_name == tracker.active_loop_name:
            so_far.turn_was_hidden = hide_rule_turn
        if so_far.turn_was_hidden:
            return
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if so_far.states:
            domain._substitute_rule_only_user_input(state, so_far.states[-1])
        if so_far.last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = so_far.last_ml_action_sub_state
    so_far.states.append(domain._clean_state(state))


def _copy_state(state: State) -> State:
    # A state is two levels of dicts over immutable values (strings, tuples, numbers).
    return {kind: dict(sub_state) for kind, sub_state in state.items()}


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Rasa's `Domain.states_for_tracker_history`, replaying only the events added since the last call."""
    applied = tracker.applied_events()
    key = (id(self), omit_unset_slots, ignore_rule_only_turns, repr(sorted((rule_only_data or {}).items())))
    replays: dict[tuple, _StatesSoFar] = tracker.__dict__.setdefault(STATES_SO_FAR, {})
    so_far = replays.get(key)
    if (
        so_far is None
        or len(so_far.events) > len(applied)
        or any(old is not new for old, new in zip(so_far.events, applied, strict=False))
    ):
        so_far = replays[key] = _StatesSoFar(tracker.init_copy())
    args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    for event in applied[len(so_far.events) :]:
        if isinstance(event, ActionExecuted):
            _add_state(self, so_far, event.hide_rule_turn, *args)
        so_far.replay.update(event)
        so_far.events.append(event)
    # Rasa's last pass, for the tracker after every event, on a copy of the loop's variables.
    previous = so_far.states[-1:]
    last = _StatesSoFar(
        so_far.replay,
        states=list(previous),
        last_ml_action_sub_state=so_far.last_ml_action_sub_state,
        turn_was_hidden=so_far.turn_was_hidden,
    )
    _add_state(self, last, False, *args)
    return [_copy_state(state) for state in so_far.states + last.states[len(previous) :]]


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
        Patch("dialogue_states", Domain, "states_for_tracker_history", states_for_tracker_history),
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
