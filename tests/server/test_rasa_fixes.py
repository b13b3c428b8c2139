"""The cached check of action server replies accepts and refuses exactly what Rasa's own does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.channels  # noqa: F401  (installs the fix, as the Rasa server does when it loads the channels)
from bot.rasa_fixes import response_validator

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
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_fixes"
