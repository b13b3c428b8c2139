"""Graph component: normalises every message before tokenisation."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_server.nlu.text import normalise

# Raw text the user typed, kept beside the normalised TEXT for anyone who needs it.
ORIGINAL_TEXT = "original_text"
DEFAULT_MAX_LENGTH = 2000


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TextNormalizer(GraphComponent):
    """Traditional -> Simplified Chinese (OpenCC t2s), full-width -> half-width (NFKC),
    control characters removed and whitespace collapsed."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormalizer:
        return cls(int(config.get("max_length", DEFAULT_MAX_LENGTH)))

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_length": DEFAULT_MAX_LENGTH}

    def __init__(self, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self.max_length = max_length

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalise(example, keep_spans=bool(example.get(ENTITIES)), max_length=None)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message, keep_spans=False, max_length=self.max_length)
        return messages

    @staticmethod
    def _normalise(message: Message, keep_spans: bool, max_length: int | None) -> None:
        text = message.get(TEXT)
        if not text or text.startswith("/"):
            return
        # Channels should refuse over-long messages; this bounds NLU cost for any that do not.
        normalised = normalise(text[:max_length] if max_length else text)
        # Annotated entity offsets must stay valid: only same-length rewrites then.
        if keep_spans and len(normalised) != len(text):
            return
        message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, normalised)
        if keep_spans:
            # An entity whose value is its own words ([蘋果12](handset)) gets the normalised
            # words as its value too; otherwise Rasa's synonym mapper would learn
            # 苹果12 -> 蘋果12. A value given explicitly ({"value": "iPhone 12"}) is kept.
            for entity in message.get(ENTITIES) or []:
                start, end = entity.get("start"), entity.get("end")
                if start is not None and end is not None and entity.get("value") == text[start:end]:
                    entity["value"] = normalised[start:end]
