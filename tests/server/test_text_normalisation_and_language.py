"""The text helpers the NLU components use (server environment)."""

import pytest

from rasa_server.nlu.text import detect_language, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("怎麼查詢5G覆蓋範圍", "怎么查询5G覆盖范围"),
        ("攜號轉網要什麼條件", "携号转网要什么条件"),
        ("５Ｇ套餐　多少錢？", "5G套餐 多少钱?"),
        ("ｉＰｈｏｎｅ１２", "iPhone12"),
        ("hello\x00\x07 world", "hello world"),
        ("  spaced \n\t out  ", "spaced out"),
        ("😀👍", "😀👍"),
        ("已经是简体", "已经是简体"),
    ],
)
def test_normalise_makes_traditional_and_full_width_text_plain(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我家有5G信号吗", "zh"),
        ("how do I check 5G coverage", "en"),
        ("5G套餐能 downgrade 吗", "zh"),
        ("华为Mate 40支持移动5G吗", "zh"),
        ("Does Huawei Mate 40 work on 中国移动 5G?", "en"),
        ("好", "zh"),
        ("ok", "en"),
        ("😀😀", None),
        ("12345", None),
        ("", None),
        ('/faq_pick{"faq_topic": "plan_change"}', None),
    ],
)
def test_language_is_detected_by_the_script_the_message_is_mostly_written_in(text, language):
    assert detect_language(text) == language
