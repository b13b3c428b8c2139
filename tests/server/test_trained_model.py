"""The trained model (models/bot.tar.gz) as the Rasa server loads it: size, and what it reads from messages."""

import asyncio
from pathlib import Path

import pytest
from rasa.core.agent import Agent

pytestmark = pytest.mark.model

MODEL = Path(__file__).resolve().parents[2] / "models" / "bot.tar.gz"
# The lean model's budget (docs/benchmarks.md): the DIET + ResponseSelector model was 232 MB.
MAX_MODEL_MB = 40


@pytest.fixture(scope="module")
def agent() -> Agent:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (the test command trains first)")
    return Agent.load(str(MODEL))


def parse(agent: Agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))


def test_the_model_file_stays_within_its_budget() -> None:
    assert MODEL.stat().st_size <= MAX_MODEL_MB * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("携号转网要满足什么条件", "faq/plan_number_portability"),
        ("攜號轉網要什麼條件", "faq/plan_number_portability"),
        ("can I keep my number if I switch to another carrier", "faq/plan_number_portability"),
        ("为什么我的手机老是显示4G不显示5G", "faq/coverage_shows_4g"),
        ("my phone only shows 4G, never 5G", "faq/coverage_shows_4g"),
    ],
)
def test_an_faq_question_is_answered_with_its_topic_in_either_language(agent: Agent, text: str, topic: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "faq"
    assert parsed["response_selector"]["faq"]["response"]["intent_response_key"] == topic
    assert parsed["response_selector"]["faq"]["response"]["utter_action"] == f"utter_{topic}"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我要投诉你们的信号", "complain"),
        ("I want to file a complaint", "complain"),
        ("转人工", "request_human"),
        ("北京市海淀区有5G吗", "check_coverage"),
    ],
)
def test_task_intents_are_recognised(agent: Agent, text: str, intent: str) -> None:
    assert parse(agent, text)["intent"]["name"] == intent


@pytest.mark.parametrize("text", ["今天天气怎么样", "recommend a good pasta recipe", "糖醋排骨怎么做"])
def test_off_topic_messages_are_declined_not_answered(agent: Agent, text: str) -> None:
    assert parse(agent, text)["intent"]["name"] in {"out_of_scope", "nlu_fallback"}


def test_every_message_gets_its_language(agent: Agent) -> None:
    languages = [
        next(e["value"] for e in parse(agent, text)["entities"] if e["entity"] == "language")
        for text in ("套餐怎么改", "how do I change my plan")
    ]
    assert languages == ["zh", "en"]
