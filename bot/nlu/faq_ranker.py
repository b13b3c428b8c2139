"""Graph component: a second opinion on the FAQ topic, blended into the ResponseSelector's ranking.

The ResponseSelector learns its topics from about 85 examples each. On that little
data a linear model over TF-IDF character n-grams and jieba words (scikit-learn) is at
least as accurate, and it makes different mistakes: it keys on exact character strings
("携号转网", "12300") where the selector's embedding generalises. Averaging the two
rankings gives the right topic first more often than either alone, which lets the
FAQ guard after this component answer directly more often without answering wrongly
more often (docs/benchmarks.md, `make tune-guard`).

Runs after the ResponseSelector and before the FAQ guard. It rewrites the selector's
ranking and selected response in place, so everything downstream (the guard,
`utter_faq`, the "Did you mean ...?" buttons, the evaluation) reads the blended result.
The fitted model is stored with skops, as Rasa's own SklearnIntentClassifier does, and
loads only if it holds nothing but the scikit-learn, numpy and scipy types it was saved with.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

PREDICTION = "response"
RANKING = "ranking"
RESPONSES = "responses"
UTTER_ACTION = "utter_action"
# Token separator for the word vectoriser: jieba tokens never contain it.
SEPARATOR = "\x1f"
MODEL_FILE = "faq_ranker.skops"
# Types a fitted model holds beyond skops' default trust: TfidfTransformer keeps its idf weights
# as a sparse diagonal matrix. Anything else in the file is refused.
EXPECTED_TYPES = {"scipy.sparse._csr.csr_matrix"}


def blend(
    selector_ranking: list[dict[str, Any]], linear: dict[str, float], selector_weight: float
) -> list[tuple[str, float]]:
    """Weighted average of the selector's confidences and the linear model's probabilities.

    A topic missing from either ranking counts as 0 there. Returns (key, confidence) pairs,
    best first; the confidences of all topics sum to 1 when both inputs do.
    """
    selector = {str(r[INTENT_RESPONSE_KEY]): float(r.get(PREDICTED_CONFIDENCE_KEY, 0.0)) for r in selector_ranking}
    keys = set(selector) | set(linear)
    scores = {k: selector_weight * selector.get(k, 0.0) + (1 - selector_weight) * linear.get(k, 0.0) for k in keys}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqRanker(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "retrieval_intent": "faq",
            # Share of the ResponseSelector in the blended confidence; the rest is the linear model's.
            "selector_weight": 0.5,
            # Inverse regularisation strength of the logistic regression.
            "C": 20.0,
            "char_ngram_range": [1, 4],
            "word_ngram_range": [1, 2],
            # How many topics the blended ranking keeps (the selector's default is 10).
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
    ) -> FaqRanker:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.config = config
        self.retrieval_intent = str(config["retrieval_intent"])
        self.selector_weight = float(config["selector_weight"])
        self.ranking_length = int(config["ranking_length"])
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        # utter_<retrieval intent>/<key> -> the domain's responses, as the ResponseSelector reports them.
        self.responses = responses or {}

    # -- features ------------------------------------------------------------------------

    @staticmethod
    def _documents(message: Message) -> tuple[str, str]:
        """(text, jieba words) of a message: the tokeniser already ran, so reuse its tokens."""
        text = (message.get(TEXT) or "").lower()
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        words = SEPARATOR.join(t.text.lower() for t in tokens if t.text.strip()) if tokens else text
        return text, words

    def _pipeline(self) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        features = ColumnTransformer(
            [
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=tuple(self.config["char_ngram_range"]), sublinear_tf=True
                    ),
                    0,
                ),
                (
                    "words",
                    TfidfVectorizer(
                        token_pattern=f"[^{SEPARATOR}]+",
                        ngram_range=tuple(self.config["word_ngram_range"]),
                        sublinear_tf=True,
                    ),
                    1,
                ),
            ]
        )
        # liblinear (one-vs-rest) fits in seconds where lbfgs took minutes, at the same accuracy.
        classifier = LogisticRegression(
            C=float(self.config["C"]), solver="liblinear", random_state=int(self.config["random_seed"])
        )
        return Pipeline([("features", features), ("classifier", classifier)])

    # -- training ------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(INTENT) == self.retrieval_intent and m.get(INTENT_RESPONSE_KEY)
        ]
        labels = [str(m.get(INTENT_RESPONSE_KEY)) for m in examples]
        if len(set(labels)) < 2:
            logger.warning("FaqRanker: fewer than two '%s' topics to learn; it will leave rankings alone.",
                           self.retrieval_intent)  # fmt: skip
            self.persist()
            return self._resource
        self.model = self._pipeline().fit(np.array([self._documents(m) for m in examples], dtype=object), labels)
        prefix = f"utter_{self.retrieval_intent}/"
        self.responses = {k: v for k, v in (training_data.responses or {}).items() if k.startswith(prefix)}
        self.persist()
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # -- prediction ----------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        for message in messages:
            selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
            selection = selectors.get(self.retrieval_intent)
            if not selection:
                continue
            probabilities = self.probabilities(np.array([self._documents(message)], dtype=object))[0]
            linear = dict(zip(self.model.classes_, probabilities.tolist(), strict=True))
            selector_ranking = selection.get(RANKING) or []
            ranked = blend(selector_ranking, linear, self.selector_weight)[: self.ranking_length]
            ids = {str(r[INTENT_RESPONSE_KEY]): r.get("id") for r in selector_ranking}
            best_key, best_confidence = ranked[0]
            utter_action = f"utter_{best_key}"
            selectors[self.retrieval_intent] = {
                PREDICTION: {
                    # The selector's own responses may be another topic's; like the selector, fall
                    # back to the key itself when the domain has no response for it.
                    RESPONSES: self.responses.get(utter_action) or [{TEXT: best_key}],
                    PREDICTED_CONFIDENCE_KEY: best_confidence,
                    INTENT_RESPONSE_KEY: best_key,
                    UTTER_ACTION: utter_action,
                },
                RANKING: [
                    {"id": ids.get(key), PREDICTED_CONFIDENCE_KEY: confidence, INTENT_RESPONSE_KEY: key}
                    for key, confidence in ranked
                ],
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
        return messages

    def probabilities(self, documents: np.ndarray) -> np.ndarray:
        """`model.predict_proba`, without the ColumnTransformer's input checks: half the CPU (~2 ms)
        for one message."""
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
        from rasa.shared.utils.io import dump_obj_as_json_to_file

        with self._model_storage.write_to(self._resource) as directory:
            if self.model is not None:
                sio.dump(self.model, directory / MODEL_FILE)
            dump_obj_as_json_to_file(directory / "responses.json", self.responses)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqRanker:
        import skops.io as sio
        from rasa.shared.utils.io import read_json_file

        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                model = None
                if path.exists():
                    untrusted = set(sio.get_untrusted_types(file=path))
                    if untrusted - EXPECTED_TYPES:
                        raise ValueError(f"untrusted types in {path.name}: {sorted(untrusted - EXPECTED_TYPES)}")
                    model = sio.load(path, trusted=sorted(untrusted))
                responses = read_json_file(directory / "responses.json")
        except ValueError:
            logger.exception("FaqRanker: the stored model could not be loaded; rankings are left alone.")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model, responses)
