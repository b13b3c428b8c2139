"""Rasa's own response generator picks the deployment's variation and fills the data handler (server environment).

The action server only sets the slots at session start; the Rasa server renders the FAQ answers
and the complaint texts. These tests run Rasa's generator on the project's domain and data, so a
condition or placeholder Rasa would not fill fails here rather than in front of a user.
"""

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
MOBILE = {
    "deployment": "operator",
    "data_handler_zh": "中国移动",
    "data_handler_en": "China Mobile",
    "data_handler_contact": "10086",
}


def project_domain() -> Domain:
    domain = Domain.load([str(path) for path in sorted((ROOT / "domain").glob("*.yml"))])
    faq = {}
    for path in sorted((ROOT / "data" / "faq").glob("*.yml")):
        faq.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return domain.merge(Domain.from_dict({"responses": faq}))


DOMAIN = project_domain()


def tracker(domain: Domain, language: str, slots: dict[str, str]) -> DialogueStateTracker:
    events = [SlotSet("language", language), *(SlotSet(name, value) for name, value in slots.items())]
    return DialogueStateTracker.from_events("deployment-test", events, slots=domain.slots)


def say(response: str, language: str, slots: dict[str, str] | None = None, **kwargs: str) -> str:
    generator = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    state = tracker(DOMAIN, language, slots or {})
    message = asyncio.run(generator.generate(response, state, "rest", **kwargs))
    assert message is not None, f"Rasa found no variation of {response} for {language} {slots}"
    return str(message["text"])


@pytest.mark.parametrize(
    ("language", "own", "other"),
    [("zh", "只由中国移动处理", "其他运营商"), ("en", "complaint to China Mobile only", "another operator")],
)
def test_an_operator_deployment_says_a_ticket_is_a_complaint_to_that_operator(language, own, other):
    text = say("utter_faq/complaint_process", language, MOBILE)
    assert own in text and other in text and "{" not in text


@pytest.mark.parametrize(("language", "forwarded"), [("zh", "转交"), ("en", "forward")])
def test_a_new_conversation_defaults_to_a_neutral_deployment_that_forwards(language, forwarded):
    text = say("utter_faq/complaint_process", language)
    assert forwarded in text and "{" not in text


@pytest.mark.parametrize(("language", "name"), [("zh", "中国移动"), ("en", "China Mobile")])
def test_the_privacy_answer_and_the_consent_text_name_the_handler_and_its_contact(language, name):
    for response in ("utter_faq/privacy_personal_data", "utter_ask_complaint_consent"):
        text = say(response, language, MOBILE)
        assert name in text and "10086" in text and "{" not in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_another_operators_customer_hears_its_name_and_hotline(language):
    operator = "中国电信" if language == "zh" else "China Telecom"
    text = say("utter_complaint_other_operator", language, MOBILE, operator=operator, hotline="10000")
    assert operator in text and "10000" in text and ("中国移动" if language == "zh" else "China Mobile") in text
