"""The linear intent and topic classifier trained, stored and loaded through Rasa's real model storage."""

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

from rasa_server.nlu.linear_classifier import MODEL_FILE, LinearIntentClassifier, ranked, split

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
    examples += [Message(data={TEXT: t, INTENT: "greet"}) for t in ("你好", "hello", "hi there", "您好啊")]
    examples += [Message(data={TEXT: t, INTENT: "out_of_scope"}) for t in ("今天天气怎么样", "tell me a joke")]
    return TrainingData(tokenised(examples))


def trained(storage, context, resource: Resource | None = None) -> LinearIntentClassifier:
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, resource or Resource("linear_classifier"), context
    )
    classifier.train(training_data())
    return classifier


def test_ranked_orders_by_score_then_name():
    assert ranked({"b": 0.25, "a": 0.25, "c": 0.5}) == [("c", 0.5), ("a", 0.25), ("b", 0.25)]


def test_topics_are_one_faq_intent_with_the_best_topics_probability_and_a_ranking_given_faq():
    intents, topics = split(["faq/a", "faq/b", "greet"], np.array([0.3, 0.1, 0.6]), "faq")
    assert intents == [("greet", 0.6), ("faq", 0.3)]
    assert topics == [("faq/a", pytest.approx(0.75)), ("faq/b", pytest.approx(0.25))]
    assert split(["greet", "goodbye"], np.array([0.7, 0.3]), "faq") == ([("greet", 0.7), ("goodbye", 0.3)], [])


def test_trained_stored_and_loaded_it_ranks_the_topics_as_the_response_selector_reports_them(storage, context):
    resource = Resource("linear_classifier")
    trained(storage, context, resource)
    with storage.read_from(resource) as directory:
        assert (directory / MODEL_FILE).exists()

    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, context)
    message = tokenised([Message(data={TEXT: "我想携号转网"})])[0]
    loaded.process([message])

    selectors = message.get("response_selector")
    assert selectors["all_retrieval_intents"] == ["faq"]
    selection = selectors["faq"]
    assert selection["response"]["intent_response_key"] == "faq/plan_number_portability"
    assert selection["response"]["utter_action"] == "utter_faq/plan_number_portability"
    assert selection["ranking"][0]["intent_response_key"] == "faq/plan_number_portability"
    assert selection["response"]["confidence"] == selection["ranking"][0]["confidence"]
    assert {r["intent_response_key"] for r in selection["ranking"]} == set(EXAMPLES)
    confidences = [r["confidence"] for r in selection["ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert message.get(INTENT)["name"] == "faq"
    assert message.get(INTENT)["confidence"] == max(r["confidence"] for r in message.get("intent_ranking"))
    assert {i["name"] for i in message.get("intent_ranking")} == {"faq", "greet", "out_of_scope"}


def test_english_questions_find_their_topic_too(storage, context):
    classifier = trained(storage, context)
    messages = tokenised([Message(data={TEXT: t}) for t in ("my battery drains on 5g", "hotline number please")])
    classifier.process(messages)
    assert [m.get("response_selector")["faq"]["response"]["intent_response_key"] for m in messages] == [
        "faq/handset_battery",
        "faq/service_hotlines",
    ]


def test_a_tampered_model_file_is_refused(storage, context):
    resource = Resource("linear_classifier")
    trained(storage, context, resource)
    import skops.io as sio

    # An object of a type skops does not trust stands in for a malicious payload.
    with storage.write_to(resource) as directory:
        sio.dump({"model": Payload()}, directory / MODEL_FILE)
    with pytest.raises(ValueError, match="untrusted types"):
        LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, context)


def test_greetings_and_off_topic_messages_are_intents_of_their_own(storage, context):
    classifier = trained(storage, context)
    messages = tokenised([Message(data={TEXT: t}) for t in ("你好呀", "tell me a joke please")])
    classifier.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["greet", "out_of_scope"]


def test_with_a_single_class_it_learns_nothing_and_changes_nothing(storage, context):
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, Resource("linear_classifier"), context
    )
    one_topic = [
        Message(data={TEXT: "携号转网", INTENT: "faq", INTENT_RESPONSE_KEY: "faq/plan_number_portability"})
    ] * 2
    classifier.train(TrainingData(tokenised(one_topic)))
    assert classifier.model is None
    message = tokenised([Message(data={TEXT: "携号转网"})])[0]
    classifier.process([message])
    assert message.get("response_selector") is None
    assert message.get(INTENT) is None


def test_the_fast_path_gives_the_pipelines_own_probabilities(storage, context):
    classifier = trained(storage, context)
    messages = tokenised([Message(data={TEXT: t}) for t in ("我想携号转网", "battery drains on 5G", "热线")])
    documents = classifier.documents(messages)
    assert classifier.probabilities(documents) == pytest.approx(classifier.model.predict_proba(documents))


def test_it_reads_the_catalogue_words_users_type_in_both_languages(storage, context):
    classifier = trained(storage, context)
    messages = tokenised([Message(data={TEXT: t}) for t in ("my battery drains on 5g", "hotline number please")])
    classifier.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["faq", "faq"]
