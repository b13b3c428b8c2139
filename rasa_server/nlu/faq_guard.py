"""Graph component: never give a random FAQ answer.

Rasa's FallbackClassifier reads only the intent confidence (rasa#9723). With dozens of FAQ
topics a message can clearly be an FAQ question while the topic is unclear, or look like an
FAQ question while being off-topic. For a message read as `faq` this component
- declines it (`nlu_fallback`, "please rephrase") when the off-topic class comes close to the
  best topic: its probability is at least `max_off_topic_ratio` times the topic's;
- else asks "Did you mean ...?" with the two best topics (`faq_unsure`) when the best topic's
  confidence is below `min_confidence` or leads the second by less than `min_margin`.

The classifier's confidences are not calibrated alike in Chinese and English, so each
language (the `language` entity of rasa_server.nlu.language) has its own thresholds; all of them are
chosen on the validation split by `make tune-guard` (scripts/tune_faq_guard.py).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FAQ_INTENT = "faq"
UNSURE_INTENT = "faq_unsure"
DECLINED_INTENT = "nlu_fallback"
OFF_TOPIC_INTENT = "out_of_scope"
RESPONSE_SELECTOR = "response_selector"
DEFAULT_THRESHOLDS = {"min_confidence": 0.6, "min_margin": 0.2, "max_off_topic_ratio": 1.0}


def is_unsure(ranking: list[dict[str, Any]], min_confidence: float, min_margin: float) -> bool:
    """True when the best topic is not confident enough or not clearly ahead of the second."""
    if not ranking:
        return True
    best = float(ranking[0].get("confidence", 0.0))
    second = float(ranking[1].get("confidence", 0.0)) if len(ranking) > 1 else 0.0
    return best < min_confidence or best - second < min_margin


def off_topic_is_close(intent_ranking: list[dict[str, Any]], max_ratio: float) -> bool:
    """True when the off-topic class has at least `max_ratio` times the best intent's probability."""
    if not intent_ranking:
        return False
    best = float(intent_ranking[0].get(PREDICTED_CONFIDENCE_KEY, 0.0))
    off_topic = next(
        (float(i.get(PREDICTED_CONFIDENCE_KEY, 0.0)) for i in intent_ranking if i.get("name") == OFF_TOPIC_INTENT), 0.0
    )
    return off_topic > 0 and off_topic >= max_ratio * best


def verdict(
    intent_ranking: list[dict[str, Any]], topic_ranking: list[dict[str, Any]], thresholds: dict[str, float]
) -> str:
    """What becomes of a message read as an FAQ question: `faq`, `faq_unsure` or `nlu_fallback`."""
    if off_topic_is_close(intent_ranking, float(thresholds["max_off_topic_ratio"])):
        return DECLINED_INTENT
    if is_unsure(topic_ranking, float(thresholds["min_confidence"]), float(thresholds["min_margin"])):
        return UNSURE_INTENT
    return FAQ_INTENT


def message_language(message: Message) -> str | None:
    return next((e.get("value") for e in message.get(ENTITIES) or [] if e.get("entity") == "language"), None)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqConfidenceGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # `languages`: per language code, thresholds overriding the defaults for its messages.
        return {"retrieval_intent": FAQ_INTENT, **DEFAULT_THRESHOLDS, "languages": {}}

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
        self.default = {key: float(config[key]) for key in DEFAULT_THRESHOLDS}
        self.by_language = {
            language: {**self.default, **{k: float(v) for k, v in (overrides or {}).items()}}
            for language, overrides in (config.get("languages") or {}).items()
        }

    def thresholds(self, language: str | None) -> dict[str, float]:
        return self.by_language.get(language or "", self.default)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") != self.retrieval_intent:
                continue
            selection = (message.get(RESPONSE_SELECTOR) or {}).get(self.retrieval_intent) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            outcome = verdict(ranking, selection.get("ranking") or [], self.thresholds(message_language(message)))
            if outcome == FAQ_INTENT:
                continue
            replaced = {"name": outcome, PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 1.0)}
            # The verdict takes the place of `faq` in the ranking: leaving both, with the same
            # confidence, would make the FallbackClassifier see an ambiguity.
            others = [i for i in ranking if i.get("name") != self.retrieval_intent]
            message.set(INTENT, replaced, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [replaced, *others], add_to_output=True)
        return messages
