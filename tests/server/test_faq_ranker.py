"""The FAQ ranker trained, stored and loaded through Rasa's real model storage (server environment)."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.faq_ranker import MODEL_FILE, FaqRanker, blend

EXAMPLES = {
    "faq/plan_number_portability": [
        "携号转网需要什么条件",
        "怎么携号转网",
        "can I keep my number when switching",
        "port my number",
    ],
    "faq/handset_battery": ["5G手机很耗电", "开5G电池掉得快", "5G drains my battery", "battery dies fast on 5G"],
    "faq/service_hotlines": ["移动客服电话是多少", "联通热线", "what is the hotline number", "customer service phone"],
}


class Payload:
    """Any class of this module is untrusted to skops."""


RESPONSES = {f"utter_{key}": [{"text": f"answer for {key}"}] for key in EXAMPLES}


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context():
    return ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]


def tokenised(messages: list[Message]) -> list[Message]:
    tokenizer = JiebaTokenizer.create(
        JiebaTokenizer.get_default_config(),
        None,
        None,
        None,  # type: ignore[arg-type]
    )
    tokenizer.process(messages)
    return messages


def training_data() -> TrainingData:
    examples = [
        Message(data={TEXT: text, INTENT: "faq", INTENT_RESPONSE_KEY: key})
        for key, texts in EXAMPLES.items()
        for text in texts
    ]
    examples.append(Message(data={TEXT: "你好", INTENT: "greet"}))
    return TrainingData(tokenised(examples), responses=RESPONSES)


def selector_output(*pairs: tuple[str, float]) -> dict:
    best_key, best = pairs[0]
    return {
        "faq": {
            "response": {
                "responses": RESPONSES[f"utter_{best_key}"],
                "confidence": best,
                "intent_response_key": best_key,
                "utter_action": f"utter_{best_key}",
            },
            "ranking": [{"id": i, "confidence": c, "intent_response_key": k} for i, (k, c) in enumerate(pairs)],
        }
    }


def test_blend_is_a_weighted_average_best_first():
    ranked = blend(
        [{"intent_response_key": "faq/a", "confidence": 0.8}, {"intent_response_key": "faq/b", "confidence": 0.2}],
        {"faq/a": 0.1, "faq/b": 0.7, "faq/c": 0.2},
        selector_weight=0.5,
    )
    assert [k for k, _ in ranked] == ["faq/a", "faq/b", "faq/c"]
    assert [round(c, 2) for _, c in ranked] == [0.45, 0.45, 0.1]
    assert sum(c for _, c in ranked) == pytest.approx(1.0)


def test_a_topic_only_the_linear_model_knows_still_ranks():
    ranked = blend([{"intent_response_key": "faq/a", "confidence": 1.0}], {"faq/b": 1.0}, selector_weight=0.3)
    assert ranked[0] == ("faq/b", pytest.approx(0.7))


def test_trained_stored_and_loaded_it_corrects_the_selectors_wrong_topic(storage, context):
    resource = Resource("faq_ranker")
    config = {**FaqRanker.get_default_config(), "selector_weight": 0.3}
    FaqRanker.create(config, storage, resource, context).train(training_data())
    with storage.read_from(resource) as directory:
        assert (directory / MODEL_FILE).exists()

    loaded = FaqRanker.load(config, storage, resource, context)
    message = tokenised([Message(data={TEXT: "我想携号转网"})])[0]
    # The selector is a little sure of the wrong topic; the linear model is sure of the right one.
    message.set(
        "response_selector", selector_output(("faq/service_hotlines", 0.55), ("faq/plan_number_portability", 0.45))
    )
    loaded.process([message])

    selection = message.get("response_selector")["faq"]
    assert selection["response"]["intent_response_key"] == "faq/plan_number_portability"
    assert selection["response"]["utter_action"] == "utter_faq/plan_number_portability"
    assert selection["response"]["responses"] == RESPONSES["utter_faq/plan_number_portability"]
    assert selection["ranking"][0]["intent_response_key"] == "faq/plan_number_portability"
    assert selection["ranking"][0]["id"] == 1
    assert selection["response"]["confidence"] == selection["ranking"][0]["confidence"]
    confidences = [r["confidence"] for r in selection["ranking"]]
    assert confidences == sorted(confidences, reverse=True)


def test_messages_without_a_selector_reading_are_left_alone(storage, context):
    resource = Resource("faq_ranker")
    ranker = FaqRanker.create(FaqRanker.get_default_config(), storage, resource, context)
    ranker.train(training_data())
    message = tokenised([Message(data={TEXT: "你好", INTENT: {"name": "greet", "confidence": 0.9}})])[0]
    ranker.process([message])
    assert message.get("response_selector") is None


def test_a_tampered_model_file_is_refused_and_rankings_are_left_alone(storage, context, caplog):
    resource = Resource("faq_ranker")
    FaqRanker.create(FaqRanker.get_default_config(), storage, resource, context).train(training_data())
    import skops.io as sio

    # An object of a type skops does not trust stands in for a malicious payload.
    with storage.write_to(resource) as directory:
        sio.dump({"model": Payload()}, directory / MODEL_FILE)

    loaded = FaqRanker.load(FaqRanker.get_default_config(), storage, resource, context)
    assert loaded.model is None
    message = tokenised([Message(data={TEXT: "我想携号转网"})])[0]
    original = selector_output(("faq/service_hotlines", 0.55), ("faq/plan_number_portability", 0.45))
    message.set("response_selector", original)
    loaded.process([message])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/service_hotlines"
    assert "could not be loaded" in caplog.text


def test_with_a_single_topic_it_learns_nothing_and_changes_nothing(storage, context):
    resource = Resource("faq_ranker")
    ranker = FaqRanker.create(FaqRanker.get_default_config(), storage, resource, context)
    one_topic = [Message(data={TEXT: "携号转网", INTENT: "faq", INTENT_RESPONSE_KEY: "faq/plan_number_portability"})]
    ranker.train(TrainingData(tokenised(one_topic)))
    assert ranker.model is None


def test_the_fast_path_gives_the_pipelines_own_probabilities(storage, context):
    ranker = FaqRanker.create(FaqRanker.get_default_config(), storage, Resource("faq_ranker"), context)
    ranker.train(training_data())
    messages = tokenised([Message(data={TEXT: t}) for t in ("我想携号转网", "battery drains on 5G", "热线")])
    documents = np.array([FaqRanker._documents(m) for m in messages], dtype=object)
    assert np.allclose(ranker.probabilities(documents), ranker.model.predict_proba(documents))
