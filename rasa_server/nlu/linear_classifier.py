"""Graph component: the bot's intent and FAQ-topic classifier, one linear model (scikit-learn).

Every labelled example is one class: a task intent (`complain`, `check_coverage`, ...), the
off-topic class (`out_of_scope`) or an FAQ topic (`faq/plan_change`, ...). A logistic
regression over TF-IDF character n-grams of the normalised text and jieba word n-grams learns
them all at once, in seconds. It replaced Rasa's DIETClassifier and ResponseSelector, which took
twenty minutes to train, 230 MB on disk and a TensorFlow graph per message; on the validation
split it recognises more task intents and puts the right topic first about as often
(docs/benchmarks.md). Character n-grams key on the exact strings users type ("携号转网",
"12300", "iphone 12") in both languages; classes are weighted by the inverse of their number of
examples, so the 33 topics' thousands of examples do not drown the task intents.

Its output is what Rasa's own classifiers write, so the rest of the bot reads it unchanged:
- `intent` and `intent_ranking`: each task intent and `out_of_scope` with its probability, and
  the retrieval intent `faq` with the probability of its best topic;
- `response_selector.faq`: the topics ranked by their probability given `faq`, with the best
  topic's `utter_faq/<topic>`, as the ResponseSelector reports it. The answer itself is read
  from the domain when `utter_faq` runs, so no answer text is stored in the model.

The fitted model is stored with skops, as Rasa's SklearnIntentClassifier does, and loads only
if it holds nothing but the scikit-learn, numpy and scipy types it was saved with.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    TOKENS_NAMES,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

PREDICTION = "response"
RANKING = "ranking"
UTTER_ACTION = "utter_action"
# Token separator for the word vectoriser: jieba tokens never contain it.
SEPARATOR = "\x1f"
MODEL_FILE = "linear_classifier.skops"
# Types a fitted model holds beyond skops' default trust: TfidfTransformer keeps its idf weights
# as a sparse diagonal matrix. Anything else in the file is refused.
EXPECTED_TYPES = {"scipy.sparse._csr.csr_matrix"}


def ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    """(class, score) pairs, best first (ties by name, so the order is stable)."""
    return sorted(scores.items(), key=lambda p: (-p[1], p[0]))


def split(
    classes: list[str], probabilities: np.ndarray, retrieval_intent: str
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(intents, topics), each best first.

    Intents: every class that is not a topic with its probability, and the retrieval intent
    with the probability of its best topic. Topics: each topic's probability given the
    retrieval intent (they sum to 1).
    """
    prefix = f"{retrieval_intent}/"
    scores = dict(zip(classes, probabilities.tolist(), strict=True))
    topics = {c: p for c, p in scores.items() if c.startswith(prefix)}
    intents = {c: p for c, p in scores.items() if not c.startswith(prefix)}
    if not topics:
        return ranked(intents), []
    intents[retrieval_intent] = max(topics.values())
    total = sum(topics.values())
    return ranked(intents), ranked({c: (p / total if total > 0 else 0.0) for c, p in topics.items()})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "retrieval_intent": "faq",
            # Inverse regularisation strength of the logistic regression.
            "C": 50.0,
            # "balanced": each class weighs the inverse of its number of examples; null: every example weighs 1.
            "class_weight": "balanced",
            "char_ngram_range": [1, 4],
            "word_ngram_range": [1, 2],
            # How many intents and topics the rankings keep (Rasa's classifiers keep 10).
            "ranking_length": 10,
            "random_seed": 42,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, model: Any = None
    ) -> None:
        self.config = config
        self.retrieval_intent = str(config["retrieval_intent"])
        self.ranking_length = int(config["ranking_length"])
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    # -- features ------------------------------------------------------------------------

    @staticmethod
    def documents(messages: list[Message]) -> np.ndarray:
        """(text, jieba words) per message: the tokeniser already ran, so its tokens are reused."""
        rows = []
        for message in messages:
            text = (message.get(TEXT) or "").lower()
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            words = SEPARATOR.join(t.text.lower() for t in tokens if t.text.strip()) if tokens else text
            rows.append((text, words))
        return np.array(rows, dtype=object).reshape(len(rows), 2)

    def _pipeline(self) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(self.config["char_ngram_range"]), sublinear_tf=True
        )
        words = TfidfVectorizer(
            token_pattern=f"[^{SEPARATOR}]+", ngram_range=tuple(self.config["word_ngram_range"]), sublinear_tf=True
        )
        # liblinear (one-vs-rest) fits in seconds where lbfgs takes minutes, at the same accuracy.
        classifier = LogisticRegression(
            C=float(self.config["C"]),
            solver="liblinear",
            class_weight=self.config["class_weight"],
            random_state=int(self.config["random_seed"]),
        )
        features = ColumnTransformer([("chars", chars, 0), ("words", words, 1)])
        return Pipeline([("features", features), ("classifier", classifier)])

    # -- training ------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if self.label(m)]
        labels = [str(self.label(m)) for m in examples]
        if len(set(labels)) < 2:
            logger.warning("LinearIntentClassifier: fewer than two intents to learn; it will predict nothing.")
        else:
            self.model = self._pipeline().fit(self.documents(examples), labels)
        self.persist()
        return self._resource

    def label(self, message: Message) -> str | None:
        """The class an example teaches: its FAQ topic (`faq/<topic>`) or its intent."""
        intent = message.get(INTENT)
        if intent == self.retrieval_intent:
            return message.get(INTENT_RESPONSE_KEY) or None
        return str(intent) if intent else None

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # -- prediction ----------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None or not messages:
            return messages
        classes = [str(c) for c in self.model.classes_]
        for message, row in zip(messages, self.probabilities(self.documents(messages)), strict=True):
            intents, topics = split(classes, row, self.retrieval_intent)
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in intents]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[: self.ranking_length], add_to_output=True)
            if topics:
                message.set(RESPONSE_SELECTOR_PROPERTY_NAME, self._selection(topics), add_to_output=True)
        return messages

    def _selection(self, topics: list[tuple[str, float]]) -> dict[str, Any]:
        """The topic ranking in the ResponseSelector's output format."""
        best, confidence = topics[0]
        return {
            RESPONSE_SELECTOR_RETRIEVAL_INTENTS: [self.retrieval_intent],
            self.retrieval_intent: {
                PREDICTION: {
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: best,
                    UTTER_ACTION: f"utter_{best}",
                },
                RANKING: [
                    {PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: key} for key, p in topics[: self.ranking_length]
                ],
            },
        }

    def probabilities(self, documents: np.ndarray) -> np.ndarray:
        """`model.predict_proba`, without the ColumnTransformer's input checks (half the CPU for one message)."""
        from scipy.sparse import hstack

        features = self.model.named_steps["features"]
        columns = [
            transformer.transform(documents[:, column])
            for _, transformer, column in features.transformers_
            if not isinstance(transformer, str)  # "drop" for the remainder
        ]
        return self.model.named_steps["classifier"].predict_proba(hstack(columns).tocsr())

    # -- persistence ---------------------------------------------------------------------

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            if self.model is not None:
                sio.dump(self.model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        config = {**cls.get_default_config(), **config}
        with model_storage.read_from(resource) as directory:
            path = directory / MODEL_FILE
            if not path.exists():
                return cls(config, model_storage, resource)
            untrusted = set(sio.get_untrusted_types(file=path))
            if untrusted - EXPECTED_TYPES:
                raise ValueError(f"untrusted types in {path.name}: {sorted(untrusted - EXPECTED_TYPES)}")
            return cls(config, model_storage, resource, sio.load(path, trusted=sorted(untrusted)))
