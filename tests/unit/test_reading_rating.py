"""The 1-5 satisfaction answer: a score is read only when the words name exactly one."""

import pytest

from bot.dialogue.rating import is_skip, read_rating


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("5", 5),
        ("１", 1),
        (" 3 ", 3),
        ("4分", 4),
        ("五星", 5),
        ("打三分", 3),
        ("给两分", 2),
        ("二", 2),
        ("four", 4),
        ("Five stars!", 5),
        ("I give it 4", 4),
        ("3/5", 3),
        ("2 out of 5", 2),
        ("★★★★", 4),
        ("⭐", 1),
    ],
)
def test_an_answer_naming_one_score_from_1_to_5_is_read(text, rating):
    assert read_rating(text) == rating


@pytest.mark.parametrize(
    "text",
    ["0", "6", "10", "45", "3 or 4", "3到4分", "还行吧", "not bad", "very good", "★★★★★★", "", "5G信号不好", "/affirm"],
)
def test_anything_else_is_no_rating_and_never_guessed(text):
    assert read_rating(text) is None


@pytest.mark.parametrize("text", ["跳过", "不打分", "skip", "no thanks", "算了"])
def test_the_user_may_decline_to_rate(text):
    assert is_skip(text)


@pytest.mark.parametrize("text", ["5", "很满意", "good"])
def test_an_answer_is_not_a_refusal_to_rate(text):
    assert not is_skip(text)
