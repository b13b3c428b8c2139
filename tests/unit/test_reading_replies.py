"""Reading a typed answer in context: yes / no / cancel at a yes/no step, and a typed choice."""

import pytest

from bot.dialogue.choices import Choice, choices_from_slot, resolve_choice
from bot.dialogue.replies import is_cancel, read_reply

YES = [
    "I agree",
    "agreed",
    "agree",
    "sure",
    "Sure thing",
    "yep",
    "yeah that's fine",
    "ok go ahead",
    "OK",
    "okay",
    "that's right",
    "Thats correct",
    "submit",
    "yes please, file it",
    "Yes I agree",
    "looks good",
    "No problem",
    "同意",
    "我同意",
    "同意。",
    "没问题",
    "嗯",
    "嗯嗯，可以",
    "对",
    "對",
    "可以的",
    "提交吧",
    "好的，提交吧",
    "确认",
    "是的",
    "好",
    "行吧",
    "👍",
    "👌",
    "/affirm",
]
NO = ["no", "No thanks", "nope", "I don't agree", "I do not agree", "disagree", "not ok", "不同意", "我不同意", "不",
      "不行", "不是", "不要提交", "👎", "/deny"]  # fmt: skip
CANCEL = [
    "算了",
    "算了吧",
    "不要了",
    "取消",
    "不用了，谢谢",
    "我不想投诉了",
    "不投诉了",
    "cancel",
    "Cancel it please",
    "stop",
    "never mind",
    "Never mind.",
    "nevermind",
    "forget it",
    "/stop",
]
UNCLEAR = [
    "what do you mean",
    "how long do you keep it?",
    "why do you need my number",
    "你们会把我的号码给别人吗",
    "保存多久？",
    "hmm",
    "asdf",
    "138 1234 5678",
    "什么意思",
    "I'm not sure what this is for, can you explain a bit more first",
]


@pytest.mark.parametrize("text", YES)
def test_yes_as_people_type_it_is_read_as_yes(text):
    assert read_reply(text) == "yes"


@pytest.mark.parametrize("text", NO)
def test_a_clear_no_is_read_as_no(text):
    assert read_reply(text) == "no"


@pytest.mark.parametrize("text", CANCEL)
def test_an_explicit_cancel_is_read_as_cancel_at_a_yes_no_step_and_anywhere(text):
    assert read_reply(text) == "cancel"
    assert is_cancel(text)


@pytest.mark.parametrize("text", UNCLEAR)
def test_a_question_or_noise_is_neither_yes_nor_no(text):
    assert read_reply(text) is None


@pytest.mark.parametrize(
    "text", ["I want them to stop charging me twice", "不要取消", "don't cancel", "信号一直断，停不下来", "13812345678"]
)
def test_an_answer_that_only_mentions_stopping_is_not_a_cancel(text):
    assert not is_cancel(text)


PLACES = [
    Choice("北京市朝阳区", ("北京市朝阳区", "Chaoyang, Beijing")),
    Choice("辽宁省朝阳市", ("辽宁省朝阳市", "Chaoyang, Liaoning")),
]


@pytest.mark.parametrize(
    ("typed", "index"),
    [
        ("北京", 0), ("北京那个", 0), ("我要北京那个", 0), ("北京朝阳", 0), ("Beijing", 0), ("the Beijing one", 0),
        ("the Liaoning one", 1), ("辽宁的", 1), ("1", 0), ("2", 1), ("1.", 0), ("选2", 1), ("第一个", 0),
        ("第二个", 1), ("第2个", 1), ("最后一个", 1), ("the second", 1), ("second one", 1), ("the first one please", 0),
        ("北京市朝阳区", 0),
    ],
)  # fmt: skip
def test_a_typed_choice_selects_the_offered_option(typed, index):
    assert resolve_choice(typed, PLACES) == PLACES[index]


@pytest.mark.parametrize("typed", ["朝阳", "3", "第三个", "上海", "the third", "", "Chaoyang"])
def test_a_typed_answer_naming_none_or_several_selects_nothing(typed):
    assert resolve_choice(typed, PLACES) is None


def test_choices_survive_the_round_trip_through_a_slot():
    stored = [choice.as_slot() for choice in PLACES]
    assert choices_from_slot(stored) == PLACES
    assert choices_from_slot(None) == [] and choices_from_slot([{"titles": []}, "x"]) == []
