"""The fixes of rasa_server/rasa_fixes.py accept, refuse and return exactly what Rasa's own code does."""

from pathlib import Path
from random import Random

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.constants import RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from rasa_server import rasa_fixes
from rasa_server.rasa_fixes import (
    STATES_SO_FAR,
    rasa_states_for_tracker_history,
    resolve_event_type,
    response_validator,
    states_for_tracker_history,
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


# -- fix 3: the dialogue states, replayed only for the events a turn added ---------------

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "domain"
RULE_ONLY = {RULE_ONLY_SLOTS: ["requested_slot", "complaint_confirmed"], RULE_ONLY_LOOPS: ["status_form"]}
ARGUMENTS = [
    {},
    {"omit_unset_slots": True},
    {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY},
]


def user(intent: str, text: str, entities: list | None = None) -> UserUttered:
    entities = entities or []
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities, "text": text}
    return UserUttered(text, parse["intent"], entities, parse_data=parse)


def event_vocabulary() -> list:
    """Events of every kind that changes the states or the applied events, as the bot sees them."""
    return [
        lambda: ActionExecuted("action_listen"),
        lambda: user("faq", "携号转网需要满足什么条件"),
        lambda: user("complain", "我要投诉"),
        lambda: user("inform", "北京海淀", [{"entity": "place", "value": "北京海淀", "start": 0, "end": 4}]),
        lambda: user("stop", "算了"),
        lambda: ActionExecuted("utter_faq"),
        lambda: ActionExecuted("utter_faq", hide_rule_turn=True),
        lambda: ActionExecuted("complaint_form"),
        lambda: ActionExecuted("coverage_form"),
        lambda: ActionExecuted("status_form"),
        lambda: ActionExecuted("action_answer_coverage"),
        lambda: ActionExecuted("action_default_fallback"),
        lambda: ActiveLoop("complaint_form"),
        lambda: ActiveLoop("coverage_form"),
        lambda: ActiveLoop("status_form"),
        lambda: ActiveLoop(None),
        lambda: LoopInterrupted(True),
        lambda: ActionExecutionRejected("complaint_form"),
        lambda: SlotSet("requested_slot", "complaint_description"),
        lambda: SlotSet("place", "北京市海淀区"),
        lambda: SlotSet("complaint_category", "coverage"),
        lambda: SlotSet("complaint_confirmed", True),
        lambda: SlotSet("language", "en"),
        lambda: BotUttered("answer"),
        lambda: FollowupAction("action_listen"),
        lambda: UserUtteranceReverted(),
        lambda: ActionReverted(),
        lambda: Restarted(),
        lambda: SessionStarted(),
    ]


def test_the_replayed_states_equal_rasas_own_after_every_event() -> None:
    domain = Domain.load(str(DOMAIN_DIR))
    vocabulary = event_vocabulary()
    random = Random(7)
    for _ in range(40):
        tracker = DialogueStateTracker("someone", domain.slots)
        for _ in range(30):
            tracker.update(random.choice(vocabulary)(), domain)
            for arguments in ARGUMENTS:
                mine = domain.states_for_tracker_history(tracker, **arguments)
                assert mine == rasa_states_for_tracker_history(domain, tracker, **arguments)
                # a caller that edits what it got back (Rasa's featurizer does) changes nothing kept
                for state in mine:
                    for sub_state in state.values():
                        sub_state.clear()
                # asked twice, with no event between (RulePolicy: text, then intent)
                again = domain.states_for_tracker_history(tracker, **arguments)
                assert again == rasa_states_for_tracker_history(domain, tracker, **arguments)


def test_a_turn_replays_only_its_new_events_and_a_reverted_one_starts_again() -> None:
    domain = Domain.load(str(DOMAIN_DIR))
    tracker = DialogueStateTracker("someone", domain.slots)
    for event in [ActionExecuted("action_listen"), user("faq", "携号转网"), ActionExecuted("utter_faq")]:
        tracker.update(event, domain)
    domain.states_for_tracker_history(tracker)
    (so_far,) = getattr(tracker, STATES_SO_FAR).values()
    replay, replayed = so_far.replay, len(so_far.events)

    tracker.update(BotUttered("answer"), domain)
    tracker.update(ActionExecuted("action_listen"), domain)
    domain.states_for_tracker_history(tracker)
    (so_far,) = getattr(tracker, STATES_SO_FAR).values()
    assert so_far.replay is replay
    assert len(so_far.events) == replayed + 2

    tracker.update(UserUtteranceReverted(), domain)
    assert domain.states_for_tracker_history(tracker) == rasa_states_for_tracker_history(domain, tracker)
    (so_far,) = getattr(tracker, STATES_SO_FAR).values()
    assert so_far.replay is not replay
    assert Domain.states_for_tracker_history is states_for_tracker_history
