"""Graph component: never give a random FAQ answer.

Rasa's FallbackClassifier reads only the intent confidence (rasa#9723). With
dozens of FAQ topics the intent `faq` can be certain while the ResponseSelector
is unsure which topic is meant. This component reads the selector's confidence
and ranking and, when it is unsure, replaces the intent with `faq_unsure`, for
which the bot asks "Did you mean ...?" with the two best topics.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FAQ_INTENT = "faq"
UNSURE_INTENT = "faq_unsure"
RESPONSE_SELECTOR = "response_selector"


def is_unsure(ranking: list[dict[str, Any]], min_confidence: float, min_margin: float) -> bool:
    """True when the best topic is not confident enough or not clearly ahead of the second."""
    if not ranking:
        return True
    best = float(ranking[0].get("confidence", 0.0))
    second = float(ranking[1].get("confidence", 0.0)) if len(ranking) > 1 else 0.0
    return best < min_confidence or best - second < min_margin


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqConfidenceGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"retrieval_intent": FAQ_INTENT, "min_confidence": 0.6, "min_margin": 0.2}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqConfidenceGuard:
        return cls({**cls.get_default_config(), **config})

    def __init__(self, config: dict[str, Any]) -> None:
        self.retrieval_intent = config["retrieval_intent"]
        self.min_confidence = float(config["min_confidence"])
        self.min_margin = float(config["min_margin"])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") != self.retrieval_intent:
                continue
            selection = (message.get(RESPONSE_SELECTOR) or {}).get(self.retrieval_intent) or {}
            if not is_unsure(selection.get("ranking") or [], self.min_confidence, self.min_margin):
                continue
            unsure = {"name": UNSURE_INTENT, PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 1.0)}
            # `faq_unsure` takes the place of `faq` in the ranking: leaving both, with the
            # same confidence, would make the FallbackClassifier see an ambiguity.
            others = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get("name") != self.retrieval_intent]
            ranking = [unsure, *others]
            message.set(INTENT, unsure, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
