"""Graph component: an explicit request ("我要投诉", "I want to talk to a person") always wins.

A user who says they want to complain or to reach a person must be escalated even
when the rest of the message reads like an FAQ question ("账单多扣了钱，我要投诉"):
the statistical classifier, trained on many more FAQ examples, tends to answer the
question instead. Likewise a user who asks the bot to look coverage up ("帮我查一下
那边有没有5G覆盖") gets the look-up, which asks for the place when none is named,
rather than the FAQ answer on how to check coverage. The phrases are configured in
config.yml, per intent; the first intent whose phrases match wins.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def compile_patterns(config: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    return [
        (intent, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))
        for intent, patterns in config.items()
    ]


def explicit_intent(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The first intent whose phrases occur in the text, else None."""
    for intent, pattern in patterns:
        if pattern.search(text):
            return intent
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ExplicitRequestClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"intents": {}}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExplicitRequestClassifier:
        return cls(config.get("intents") or {})

    def __init__(self, intents: dict[str, list[str]]) -> None:
        self.patterns = compile_patterns(intents)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or not (intent := explicit_intent(text, self.patterns)):
                continue
            chosen = {"name": intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            others = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get("name") != intent]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
        return messages
