"""Every word the bot says is in Chinese and English, and in one place per kind.

Rasa's responses are in the domain (domain/*.yml); text built in code is in one message
catalogue per environment: bot.messages (the application: actions, look-ups, the desk's
notifications) and rasa_server.messages (the Rasa server's channels, which cannot import `bot`).
"""

import ast
import re
import string
from pathlib import Path

import pytest

from bot import messages as app_messages
from rasa_server import messages as server_messages
from tests.conftest import ROOT, load_domain

RESPONSES = load_domain()["responses"]
CATALOGUES = {"bot.messages": app_messages.MESSAGES, "rasa_server.messages": server_messages.MESSAGES}
ENTRIES = sorted((catalogue, message_id) for catalogue, entries in CATALOGUES.items() for message_id in entries)
HAN = re.compile(r"[\u4e00-\u9fff]")
# Modules whose Chinese strings are words the bot READS, not says: the vocabularies of the
# user's answers, places, handsets, plans, operators' names, complaint keywords, spoken digits.
READERS = {
    "bot/catalog/finder.py",
    "bot/catalog/matching.py",
    "bot/catalog/operators.py",
    "bot/complaints/categories.py",
    "common/redact.py",
    "bot/dialogue/choices.py",
    "bot/dialogue/replies.py",
    "bot/dialogue/rating.py",  # the 1-5 satisfaction answers (arrives with the live hand-off)
    "bot/faq/checks.py",
    "actions/lookup_forms.py",
    "actions/lookups.py",
}
CATALOGUE_FILES = {"bot/messages.py", "rasa_server/messages.py"}
# Entries whose two texts may show different values, and why.
LEAVE_OUT_A_VALUE = {
    ("rasa_server.messages", "refused.too_long"): "the Chinese refusal gives the limit, not the length",
}


def languages_of(variations):
    found = set()
    for variation in variations:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "language":
                found.add(condition.get("value"))
    return found


def test_the_bot_has_responses():
    assert len(RESPONSES) > 40


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_each_response_has_a_zh_and_an_en_variation(name):
    variations = RESPONSES[name]
    assert languages_of(variations) == {"zh", "en"}, f"{name} needs exactly a zh and an en variation"
    for variation in variations:
        assert (variation.get("text") or "").strip(), f"{name} has an empty text"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize(("catalogue", "message_id"), ENTRIES)
def test_each_catalogue_message_has_a_zh_and_an_en_text_that_can_be_filled_in(catalogue, message_id):
    texts = CATALOGUES[catalogue][message_id]
    assert set(texts) == {"zh", "en"}, f"{message_id} needs exactly a zh and an en text"
    names = placeholders(texts["zh"]) | placeholders(texts["en"])
    if (catalogue, message_id) not in LEAVE_OUT_A_VALUE:
        assert placeholders(texts["zh"]) == placeholders(texts["en"]), f"{message_id}: zh and en show different values"
    for language, text in texts.items():
        assert text.strip(), f"{message_id} has an empty {language} text"
        assert all(name.isidentifier() for name in placeholders(text)), f"{message_id} ({language}): {text!r}"
        text.format(**dict.fromkeys(names, "x"))


def test_no_chinese_text_is_english_words():
    for catalogue, message_id in ENTRIES:
        zh = re.sub(r"\{\w+\}|VoNR|VoLTE", "", CATALOGUES[catalogue][message_id]["zh"])
        assert HAN.search(zh) or not re.search(r"[A-Za-z]{3,}", zh), f"{catalogue} {message_id}: {zh!r}"


def test_a_message_reads_in_the_language_asked_for_and_fills_in_each_language_its_own_value():
    assert (
        app_messages.say("plan.throttle", "en", gb="40", mbps="1") == "After 40 GB in a month, speed drops to 1 Mbps."
    )
    assert app_messages.say("plan.throttle", "zh", gb="40", mbps="1") == "当月高速流量 40GB 用完后限速至 1Mbps。"
    zh, en = app_messages.both("coverage.meaning.unknown", operator=("中国移动", "China Mobile"), hotline="10086")
    assert "中国移动" in zh and "China Mobile" in en and "10086" in zh and "10086" in en
    assert server_messages.say("wechat.error", None).split("\n") == [
        server_messages.MESSAGES["wechat.error"]["zh"],
        server_messages.MESSAGES["wechat.error"]["en"],
    ]


def chinese_strings_said_in(path: Path) -> list[str]:
    """String literals with Chinese characters in a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and HAN.search(node.value)
    ]


def test_no_chinese_words_are_written_outside_the_catalogues_and_the_vocabularies_of_what_users_type():
    scattered = {}
    for package in ("bot", "actions", "rasa_server", "common"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            if module in READERS | CATALOGUE_FILES:
                continue
            if found := chinese_strings_said_in(path):
                scattered[module] = found[:3]
    assert not scattered, f"words to move into bot/messages.py or rasa_server/messages.py: {scattered}"
