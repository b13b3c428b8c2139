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
      "不行", "不是", "不要提交", "👎", "/deny", "错了", "不是这个号码", "that isn't right",
      "doesn't look right"]  # fmt: skip
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
    "text",
    [
        "取消吧", "先不弄了，以后再说", "这个登记不填了", "把投诉撤掉吧", "停一下，别继续问了", "终止查询",
        "懒得弄了", "投诉就免了吧", "ok stop here", "stop, I'll call the hotline instead",
        "cancel the complaint please", "let's call it off", "scrap it", "quit asking me things, I'm done",
        "no, cancel", "drop it",
    ],
)  # fmt: skip
def test_cancels_said_in_a_sentence_are_read_as_cancel(text):
    assert is_cancel(text) and read_reply(text) == "cancel"


@pytest.mark.parametrize(
    "text",
    [
        "I want them to stop charging me twice", "不要取消", "don't cancel", "信号一直断，停不下来", "13812345678",
        "营业厅一直不给我取消增值业务", "they refuse to cancel my contract", "my calls drop in the lift",
        "the call always drops at the end", "家里5G信号经常中断，打电话也断", "信号撤了",
    ],
)  # fmt: skip
def test_a_description_that_mentions_stopping_or_cancelling_is_not_a_cancel(text):
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
