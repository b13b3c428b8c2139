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
3. Every DIET and ResponseSelector prediction calls the model's `tf.function` with the
   batch as numpy arrays; TensorFlow then matches the call against the function's input
   signature and converts the arrays on every call (its `_maybe_define_function` and
   `canonicalize_function_inputs`: about 9% of the server's Python time under FAQ load).
   The traced graph is the same for every call, so after the first call (traced by Rasa's
   own code) the fix calls that graph as a concrete function with the arrays already
   converted to tensors: the same outputs, about 5 ms less CPU per parsed message here
   (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
from typing import Any

import tensorflow as tf
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from keras.utils import tf_utils
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DIAGNOSTIC_DATA, DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.tensorflow import models as rasa_models


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


_rasa_predict = rasa_models.RasaModel._rasa_predict
# Where a model keeps the concrete function of its traced prediction graph.
CONCRETE_PREDICT = "_project_concrete_predict"


def predict_with_traced_graph(self: rasa_models.RasaModel, batch_in: Any) -> dict[str, Any]:
    """Rasa's `RasaModel._rasa_predict`, calling its traced graph as a concrete function."""
    concrete = getattr(self, CONCRETE_PREDICT, None)
    if concrete is None or self._run_eagerly:
        outputs = _rasa_predict(self, batch_in)  # prepares the model and traces the graph once
        if self._tf_predict_step is not None and not self._run_eagerly:
            setattr(self, CONCRETE_PREDICT, self._tf_predict_step.get_concrete_function())
        return outputs
    self._training = False
    outputs = tf_utils.sync_to_numpy_or_python_type(concrete([tf.convert_to_tensor(array) for array in batch_in]))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    rasa_models.RasaModel._rasa_predict = predict_with_traced_graph
