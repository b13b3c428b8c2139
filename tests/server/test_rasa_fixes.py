"""The fixes of rasa_server/rasa_fixes.py accept, refuse and return exactly what Rasa's own code does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from rasa_server import rasa_fixes
from rasa_server.rasa_fixes import (
    resolve_event_type,
    response_validator,
)


@pytest.fixture(autouse=True, scope="module")
def patches_installed():
    """Every patch installed, as `python -m rasa_server` does at start; Rasa's own code back afterwards."""
    rasa_fixes.install({})
    yield
    rasa_fixes.uninstall()


REPLIES = [
    {"events": [{"event": "slot", "name": "language", "value": "zh"}], "responses": [{"text": "你好"}]},
    {"events": [], "responses": []},
    {"events": [{"event": "followup", "name": "action_listen"}]},
    {"events": "not a list"},
    {"events": [{"name": "no event type"}]},
    {"responses": "nope"},
]


def rasa_original(result: dict) -> bool:
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


@pytest.mark.parametrize("reply", REPLIES)
def test_same_verdict_as_rasas_own_check(reply: dict) -> None:
    action = RemoteAction("action_anything", EndpointConfig("http://127.0.0.1:1/webhook"))
    if rasa_original(reply):
        assert action._validate_action_result(reply) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(reply)


def test_the_schema_is_checked_once() -> None:
    assert response_validator() is response_validator()
    assert RemoteAction._validate_action_result.__module__ == "rasa_server.rasa_fixes"


def rasa_walk(type_name: str):
    """Rasa 3.6's own lookup, as rasa_server.rasa_fixes replaces it."""
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    return None


def test_every_event_type_resolves_to_the_class_rasa_would_pick() -> None:
    assert Event.resolve_by_type is resolve_event_type
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "active_loop", "session_started"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is rasa_walk(name)


def test_unknown_event_types_behave_as_in_rasa() -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_imported_later_is_found() -> None:
    assert Event.resolve_by_type("slot") is SlotSet  # the table is built

    class ProjectEvent(SlotSet):
        type_name = "project_event_for_this_test"

    assert Event.resolve_by_type("project_event_for_this_test") is ProjectEvent


def test_a_stored_conversation_reads_back_event_for_event() -> None:
    events = [
        UserUttered("携号转网", {"name": "faq"}),
        ActionExecuted("utter_faq"),
        BotUttered("answer", metadata={"utter_action": "utter_faq/plan_number_portability"}),
        SlotSet("language", "zh"),
        ActionExecuted("action_listen"),
    ]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events
