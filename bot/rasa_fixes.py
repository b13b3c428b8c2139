"""A measured fix to Rasa 3.6 itself, installed when the Rasa server loads the project's channels.

Rasa checks every custom action's reply against its JSON schema with
`jsonschema.validate`, which first checks the schema itself against the JSON Schema
meta-schema: about 40 ms of CPU on every call to the action server on this machine
(docs/benchmarks.md), more than the rest of a form turn. The same check with the
validator built once gives the same results and the same errors in well under a
millisecond.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


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


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
