"""Conversations through the real Rasa server and action server, over HTTP."""

import sqlite3
import uuid

import pytest
import requests

from tests.conftest import load_domain

pytestmark = pytest.mark.e2e
RESPONSES = load_domain()["responses"]


def variation(name, language):
    for v in RESPONSES[name]:
        if any(c.get("value") == language for c in v.get("condition") or []):
            return v["text"]
    raise KeyError(name)


def texts(messages):
    return [m.get("text", "") for m in messages]


def new_sender():
    return f"e2e-{uuid.uuid4().hex[:12]}"


def test_a_new_conversation_is_welcomed_with_quick_replies(servers):
    messages = servers.send(new_sender(), "你好")
    assert messages[0]["text"] == variation("utter_welcome", "zh")
    assert [b["title"] for b in messages[0]["buttons"]] == ["5G覆盖", "手机能用5G吗", "套餐与合约", "我要投诉"]


@pytest.mark.parametrize(
    ("question", "topic", "language"),
    [
        ("我想知道我家那边有没有5G信号，去哪里查", "coverage_check_area", "zh"),
        ("where can I check whether my area has 5G coverage", "coverage_check_area", "en"),
        ("携号转网需要满足什么条件", "plan_number_portability", "zh"),
        ("what are the conditions for keeping my number when switching operator", "plan_number_portability", "en"),
        ("攜號轉網需要滿足什麼條件", "plan_number_portability", "zh"),
    ],
)
def test_an_faq_question_gets_the_curated_answer_in_the_users_language(servers, question, topic, language):
    replies = texts(servers.send(new_sender(), question))
    assert variation(f"utter_faq/{topic}", language) in replies


def test_the_language_follows_the_user_within_one_conversation(servers):
    sender = new_sender()
    servers.send(sender, "你好")
    assert variation("utter_iamabot", "en") in texts(servers.send(sender, "are you a bot?"))
    assert variation("utter_iamabot", "zh") in texts(servers.send(sender, "你是机器人吗"))


@pytest.mark.parametrize(
    ("text", "response", "language"),
    [
        ("谢谢", "utter_you_are_welcome", "zh"),
        ("thanks a lot", "utter_you_are_welcome", "en"),
        ("再见", "utter_goodbye", "zh"),
        ("bye", "utter_goodbye", "en"),
        ("你是真人吗", "utter_iamabot", "zh"),
        ("am I talking to a robot", "utter_iamabot", "en"),
    ],
)
def test_small_talk_is_answered_in_the_users_language(servers, text, response, language):
    sender = new_sender()
    servers.send(sender, "hello")
    assert variation(response, language) in texts(servers.send(sender, text))


@pytest.mark.parametrize(
    ("text", "language"),
    [("今天天气怎么样", "zh"), ("can you book me a flight to Shanghai", "en"), ("帮我装个宽带", "zh")],
)
def test_an_off_topic_question_is_declined_politely(servers, text, language):
    sender = new_sender()
    servers.send(sender, "hi" if language == "en" else "你好")
    assert variation("utter_out_of_scope", language) in texts(servers.send(sender, text))


def test_conversations_are_committed_to_the_tracker_database(servers):
    sender = new_sender()
    servers.send(sender, "怎么查5G覆盖")
    with sqlite3.connect(servers.tracker_db) as db:
        (count,) = db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()
    assert count >= 5


def test_the_http_api_needs_the_token(servers):
    assert requests.get(f"{servers.rasa_url}/status", timeout=10).status_code == 401
    assert requests.get(f"{servers.rasa_url}/status", params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(f"{servers.rasa_url}/status", params={"token": servers.token}, timeout=10).ok
