"""The custom graph components on real Rasa Message objects (server environment)."""

import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_server.nlu.faq_guard import FaqConfidenceGuard, is_unsure, off_topic_is_close
from rasa_server.nlu.language import LanguageDetector
from rasa_server.nlu.normalizer import ORIGINAL_TEXT, TextNormalizer
from tests.conftest import ROOT


def test_the_normaliser_rewrites_the_text_and_keeps_the_original():
    message = Message(data={TEXT: "為什麼我的手機只顯示４Ｇ"})
    TextNormalizer().process([message])
    assert message.get(TEXT) == "为什么我的手机只显示4G"
    assert message.get(ORIGINAL_TEXT) == "為什麼我的手機只顯示４Ｇ"


def test_the_normaliser_cuts_an_over_long_message():
    message = Message(data={TEXT: "5G" * 5000})
    TextNormalizer(max_length=2000).process([message])
    assert len(message.get(TEXT)) == 2000


def test_the_normaliser_leaves_intent_payloads_alone():
    message = Message(data={TEXT: '/faq_pick{"faq_topic": "plan_change"}'})
    TextNormalizer().process([message])
    assert message.get(TEXT) == '/faq_pick{"faq_topic": "plan_change"}'


def test_training_examples_with_entities_keep_their_offsets():
    example = Message(
        data={TEXT: "朝陽  有5G嗎", ENTITIES: [{"entity": "place", "start": 0, "end": 2, "value": "朝陽"}]}
    )
    TextNormalizer().process_training_data(TrainingData([example]))
    # collapsing the double space would move the entity; the text is left as it was
    assert example.get(TEXT) == "朝陽  有5G嗎"


def test_a_normalised_training_example_normalises_its_entity_values_but_not_explicit_ones():
    example = Message(
        data={
            TEXT: "蘋果12和蘋果13支援5G嗎",
            ENTITIES: [
                {"entity": "handset", "start": 0, "end": 4, "value": "蘋果12"},
                {"entity": "handset", "start": 5, "end": 9, "value": "iPhone 13"},
            ],
        }
    )
    TextNormalizer().process_training_data(TrainingData([example]))
    assert example.get(TEXT) == "苹果12和苹果13支援5G吗"
    # the span's own words follow the text, so no synonym 苹果12 -> 蘋果12 is learnt
    assert [e["value"] for e in example.get(ENTITIES)] == ["苹果12", "iPhone 13"]


def test_the_language_detector_adds_a_language_entity():
    zh, en, emoji = (Message(data={TEXT: t}) for t in ("我家有5G吗", "is there 5G at home", "👍"))
    LanguageDetector().process([zh, en, emoji])
    assert [e["value"] for e in zh.get(ENTITIES)] == ["zh"]
    assert [e["value"] for e in en.get(ENTITIES)] == ["en"]
    assert emoji.get(ENTITIES, []) == []


def ranking(*confidences):
    return [{"intent_response_key": f"faq/t{i}", "confidence": c} for i, c in enumerate(confidences)]


def test_a_confident_topic_clearly_ahead_is_not_unsure():
    assert not is_unsure(ranking(0.9, 0.05), min_confidence=0.6, min_margin=0.2)


def test_a_low_or_close_topic_is_unsure():
    assert is_unsure(ranking(0.5, 0.1), min_confidence=0.6, min_margin=0.2)
    assert is_unsure(ranking(0.65, 0.5), min_confidence=0.6, min_margin=0.2)
    assert is_unsure([], min_confidence=0.6, min_margin=0.2)


def test_the_guard_turns_an_unsure_faq_into_faq_unsure_and_leaves_others():
    guard = FaqConfidenceGuard(FaqConfidenceGuard.get_default_config())
    unsure = Message(
        data={
            TEXT: "x",
            INTENT: {"name": "faq", "confidence": 0.99},
            "response_selector": {"faq": {"ranking": ranking(0.4, 0.35)}},
        }
    )
    sure = Message(
        data={
            TEXT: "y",
            INTENT: {"name": "faq", "confidence": 0.99},
            "response_selector": {"faq": {"ranking": ranking(0.95, 0.01)}},
        }
    )
    other = Message(data={TEXT: "z", INTENT: {"name": "greet", "confidence": 0.3}})
    guard.process([unsure, sure, other])
    assert unsure.get(INTENT)["name"] == "faq_unsure"
    assert sure.get(INTENT)["name"] == "faq"
    assert other.get(INTENT)["name"] == "greet"


def test_faq_unsure_replaces_faq_in_the_ranking_so_the_fallback_sees_no_tie():
    guard = FaqConfidenceGuard(FaqConfidenceGuard.get_default_config())
    message = Message(
        data={
            TEXT: "x",
            INTENT: {"name": "faq", "confidence": 0.99},
            "intent_ranking": [{"name": "faq", "confidence": 0.99}, {"name": "greet", "confidence": 0.01}],
            "response_selector": {"faq": {"ranking": ranking(0.4, 0.35)}},
        }
    )
    guard.process([message])
    assert [i["name"] for i in message.get("intent_ranking")] == ["faq_unsure", "greet"]


def faq_reading(topics: list[dict], off_topic: float = 0.0, language: str = "zh") -> Message:
    intents = [{"name": "faq", "confidence": 0.8}, {"name": "out_of_scope", "confidence": off_topic}]
    return Message(
        data={
            TEXT: "x",
            INTENT: intents[0],
            "intent_ranking": intents,
            "response_selector": {"faq": {"ranking": topics}},
            ENTITIES: [{"entity": "language", "value": language}],
        }
    )


def test_an_faq_reading_that_off_topic_comes_close_to_is_declined():
    assert off_topic_is_close([{"name": "faq", "confidence": 0.6}, {"name": "out_of_scope", "confidence": 0.2}], 0.3)
    assert not off_topic_is_close(
        [{"name": "faq", "confidence": 0.6}, {"name": "out_of_scope", "confidence": 0.1}], 0.3
    )
    assert not off_topic_is_close([{"name": "faq", "confidence": 0.6}], 0.3)
    guard = FaqConfidenceGuard({**FaqConfidenceGuard.get_default_config(), "max_off_topic_ratio": 0.3})
    close = faq_reading(ranking(0.95, 0.01), off_topic=0.3)
    guard.process([close])
    assert close.get(INTENT)["name"] == "nlu_fallback"
    assert [i["name"] for i in close.get("intent_ranking")] == ["nlu_fallback", "out_of_scope"]


def test_each_language_has_its_own_thresholds():
    config = {
        **FaqConfidenceGuard.get_default_config(),
        "languages": {"zh": {"min_confidence": 0.3}, "en": {"min_confidence": 0.9, "min_margin": 0.0}},
    }
    guard = FaqConfidenceGuard(config)
    zh, en = faq_reading(ranking(0.5, 0.1), language="zh"), faq_reading(ranking(0.85, 0.1), language="en")
    unknown = faq_reading(ranking(0.5, 0.1), language="fr")
    guard.process([zh, en, unknown])
    assert zh.get(INTENT)["name"] == "faq"  # 0.5 >= 0.3 and 0.4 ahead (the default margin 0.2)
    assert en.get(INTENT)["name"] == "faq_unsure"  # 0.85 < 0.9
    assert unknown.get(INTENT)["name"] == "faq_unsure"  # the defaults: 0.5 < 0.6
    assert guard.thresholds("en") == {"min_confidence": 0.9, "min_margin": 0.0, "max_off_topic_ratio": 1.0}


def test_an_explicit_request_overrides_an_faq_reading():
    from rasa_server.nlu.explicit_requests import ExplicitRequestClassifier

    classifier = ExplicitRequestClassifier(
        {
            "request_human": ["转人工", r"(talk|speak) to (a )?(human|person)"],
            "complain": ["我(要|想)投诉", r"\bi want to complain"],
        }
    )
    messages = [
        Message(
            data={
                TEXT: t,
                INTENT: {"name": "faq", "confidence": 0.9},
                "intent_ranking": [{"name": "faq", "confidence": 0.9}],
            }
        )
        for t in (
            "账单多扣了钱，我要投诉",
            "I want to complain about my bill",
            "can I talk to a human?",
            "怎么投诉",
            "/faq_pick",
        )
    ]
    classifier.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["complain", "complain", "request_human", "faq", "faq"]
    assert messages[0].get("intent_ranking")[0] == {"name": "complain", "confidence": 1.0}


def test_the_configured_explicit_requests_pick_the_intended_messages():
    """The phrases in config.yml itself: requests win, questions about the same subject do not."""
    from rasa_server.nlu.explicit_requests import compile_patterns, explicit_intent

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    (component,) = [c for c in config["pipeline"] if c["name"].endswith("ExplicitRequestClassifier")]
    patterns = compile_patterns(component["intents"])
    expected = {
        "帮我查一下那边有没有5G覆盖": "check_coverage",
        "帮我查查上海黄浦有无5G": "check_coverage",
        "麻烦看一下朝阳区5G信号": "check_coverage",
        "can you check 5G coverage in Pudong for me": "check_coverage",
        "could you please look up whether there is 5g signal at my office": "check_coverage",
        "帮我查一下5G套餐的违约金": None,
        "帮我看看为什么5G信号不好": None,
        "怎么查5G覆盖": None,
        "how do I check 5G coverage": None,
        "can you check if my phone supports 5g": None,
        "北京市东城区有5G吗": None,
        "5G覆盖这么差，我要投诉": "complain",
        "帮我查一下覆盖，不行就转人工": "request_human",
    }
    assert {text: explicit_intent(text, patterns) for text in expected} == expected
