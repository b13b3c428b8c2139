"""A corpus of multi-turn conversations through the real servers, typed the way people type.

Each conversation checks what the user sees and what is (or is not) stored: the complaint
form answered in several phrasings per step, cancelled at each step, an unreadable answer
at each yes/no step, the status look-up, and the look-ups with their follow-ups.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid

import pytest

pytestmark = pytest.mark.e2e
TICKET = re.compile(r"C\d{8}-\d{4,5}")


def choose(key: str) -> str:
    return "/choose" + json.dumps({"choice": key})


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def buttons(messages: list[dict]) -> list[str]:
    return [b["title"] for m in messages for b in m.get("buttons") or []]


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def complaints_of(servers, sender: str) -> list[sqlite3.Row]:
    with sqlite3.connect(servers.app_db) as db:
        db.row_factory = sqlite3.Row
        return db.execute("select * from complaints where sender_id = ?", (sender,)).fetchall()


class Chat:
    """One user's conversation: sends, keeps what the bot said last."""

    def __init__(self, servers, prefix: str) -> None:
        self.servers = servers
        self.sender = new_sender(prefix)
        self.last: list[dict] = []

    def say(self, text: str) -> str:
        self.last = self.servers.send(self.sender, text)
        return texts(self.last)


# ------------------------------------------------------------ the complaint form in many phrasings

# Each row answers every step differently: button or typed label, number, ordinal or part of
# a word; the mobile number in several formats; consent and confirmation in everyday words.
ZH_PHRASINGS = [
    {"start": "我要投诉", "category": choose("billing"), "operator": choose("china_mobile"),
     "description": "上个月莫名其妙多扣了30块钱流量费", "phone": "13812345678", "consent": "同意",
     "confirm": "确认提交", "expect_operator": "china_mobile"},
    {"start": "我想投诉", "category": "收费与账单", "operator": "移动",
     "description": "话费账单里有一笔我从没订过的增值业务", "phone": "138 1234 5678", "consent": "可以的",
     "confirm": "提交吧", "expect_operator": "china_mobile"},
    {"start": "我要投诉", "category": "8", "operator": "中国电信", "description": "套餐外流量费一个月被扣了两次",
     "phone": "+86 138-1234-5678", "consent": "嗯", "confirm": "对", "expect_operator": "china_telecom"},
    {"start": "我必须投诉", "category": "第八个", "operator": "2",
     "description": "每个月账单都多出来十几块，不知道是什么费用", "phone": "我的手机号是13812345678",
     "consent": "没问题", "confirm": "没问题", "expect_operator": "china_telecom"},
    {"start": "我要投诉", "category": "账单乱扣费", "operator": "第三个",
     "description": "国际漫游我根本没出国却收了漫游费", "phone": "１３８１２３４５６７８", "consent": "👍",
     "confirm": "可以", "expect_operator": "china_unicom"},
]  # fmt: skip
# "I want to complain about my bill" proposes the billing category, so it is the first button.
EN_PHRASINGS = [
    {"start": "I want to complain about my bill", "category": choose("billing"),
     "operator": choose("china_unicom"), "phone": "13912345678", "consent": "I agree", "confirm": "that's right",
     "expect_operator": "china_unicom"},
    {"start": "I want to complain, my bill is wrong", "category": "Charges and bills", "operator": "China Unicom",
     "phone": "139 1234 5678", "consent": "agreed", "confirm": "submit", "expect_operator": "china_unicom"},
    {"start": "I would like to complain about extra charges on my bill", "category": "1", "operator": "unicom",
     "phone": "+86 139-1234-5678", "consent": "sure", "confirm": "yes please",
     "expect_operator": "china_unicom"},
    {"start": "I need to complain, I was overcharged on my bill", "category": "the first one", "operator": "3",
     "phone": "my number is 139 1234 5678", "consent": "yep", "confirm": "👍",
     "expect_operator": "china_unicom"},
    {"start": "I want to file a complaint about a charge on my bill", "category": "bills",
     "operator": "the second", "phone": "0086 139 1234 5678", "consent": "ok go ahead",
     "confirm": "Sounds good, file it", "expect_operator": "china_telecom"},
]  # fmt: skip


@pytest.mark.parametrize("answers", ZH_PHRASINGS, ids=[f"zh-{i}" for i in range(len(ZH_PHRASINGS))])
def test_a_chinese_complaint_is_filed_however_each_step_is_answered(servers, answers):
    chat = Chat(servers, "corpus-zh")
    assert "登记投诉" in chat.say(answers["start"])
    assert "收费与账单" in buttons(chat.last)
    assert "哪家运营商" in chat.say(answers["category"])
    assert "描述" in chat.say(answers["operator"])
    assert "手机号" in chat.say(answers["description"])
    consent = chat.say(answers["phone"])
    assert "保存2年" in consent and buttons(chat.last) == ["同意", "不同意"]
    summary = chat.say(answers["consent"])
    assert "请确认投诉信息" in summary and "138****5678" in summary and "收费与账单" in summary
    filed = chat.say(answers["confirm"])
    ticket = TICKET.search(filed).group(0)
    (row,) = complaints_of(servers, chat.sender)
    assert row["ticket"] == ticket and row["category"] == "billing" and row["language"] == "zh"
    assert row["contact_phone"] == "13812345678" and row["operator"] == answers["expect_operator"]
    assert row["description"] == answers["description"]


@pytest.mark.parametrize("answers", EN_PHRASINGS, ids=[f"en-{i}" for i in range(len(EN_PHRASINGS))])
def test_an_english_complaint_is_filed_however_each_step_is_answered(servers, answers):
    chat = Chat(servers, "corpus-en")
    assert "record your complaint" in chat.say(answers["start"])
    assert buttons(chat.last[-1:])[0] == "Charges and bills"
    assert "Which operator" in chat.say(answers["category"])
    assert "mobile number" in chat.say(answers["operator"]), "the first words are reused as the description"
    consent = chat.say(answers["phone"])
    assert "2 years" in consent and buttons(chat.last) == ["I agree", "I don't agree"]
    summary = chat.say(answers["consent"])
    assert "Please check your complaint" in summary and "139****5678" in summary
    filed = chat.say(answers["confirm"])
    ticket = TICKET.search(filed).group(0)
    (row,) = complaints_of(servers, chat.sender)
    assert row["ticket"] == ticket and row["category"] == "billing" and row["language"] == "en"
    assert row["contact_phone"] == "13912345678" and row["operator"] == answers["expect_operator"]
    assert row["description"] == answers["start"]


# ------------------------------------------------------------ cancelling at each step

# A coverage complaint asks every step, the place included.
ZH_STEPS = [
    ("category", "我要投诉", []),
    ("operator", "我要投诉", [choose("coverage_signal")]),
    ("description", "我要投诉", [choose("coverage_signal"), "移动"]),
    ("phone", "我要投诉", [choose("coverage_signal"), "移动", "家里客厅完全没有5G信号"]),
    ("place", "我要投诉", [choose("coverage_signal"), "移动", "家里客厅完全没有5G信号", "13812345678"]),
    ("consent", "我要投诉", [choose("coverage_signal"), "移动", "家里客厅完全没有5G信号", "13812345678", "海淀区"]),
    ("summary", "我要投诉",
     [choose("coverage_signal"), "移动", "家里客厅完全没有5G信号", "13812345678", "海淀区", "同意"]),
]  # fmt: skip
EN_START = "I want to complain, there is no 5G signal in my flat"
EN_STEPS = [
    ("category", EN_START, []),
    ("operator", EN_START, [choose("coverage_signal")]),
    ("phone", EN_START, [choose("coverage_signal"), "China Telecom"]),
    ("place", EN_START, [choose("coverage_signal"), "China Telecom", "13912345678"]),
    ("consent", EN_START, [choose("coverage_signal"), "China Telecom", "13912345678", "Haidian, Beijing"]),
    ("summary", EN_START,
     [choose("coverage_signal"), "China Telecom", "13912345678", "Haidian, Beijing", "I agree"]),
]  # fmt: skip
ZH_CANCELS = ["算了", "不要了", "算了吧，不投诉了", "取消", "不用了", "算了", "不要了"]
EN_CANCELS = ["cancel", "never mind", "stop", "forget it", "Cancel it please", "never mind"]


@pytest.mark.parametrize(
    ("step", "start", "before", "cancel"),
    [(*row, cancel) for row, cancel in zip(ZH_STEPS, ZH_CANCELS, strict=True)],
    ids=[f"zh-{row[0]}" for row in ZH_STEPS],
)
def test_a_chinese_cancel_at_any_step_stops_and_stores_nothing(servers, step, start, before, cancel):
    chat = Chat(servers, f"cancel-zh-{step}")
    chat.say(start)
    for answer in before:
        chat.say(answer)
    assert "没有保存任何信息" in chat.say(cancel)
    assert complaints_of(servers, chat.sender) == []
    assert "请" not in texts(chat.last).split("没有保存任何信息")[-1], "no further question after the cancel"
    assert "5G" in chat.say("海淀有5G吗"), "the conversation goes on normally"


@pytest.mark.parametrize(
    ("step", "start", "before", "cancel"),
    [(*row, cancel) for row, cancel in zip(EN_STEPS, EN_CANCELS, strict=True)],
    ids=[f"en-{row[0]}" for row in EN_STEPS],
)
def test_an_english_cancel_at_any_step_stops_and_stores_nothing(servers, step, start, before, cancel):
    chat = Chat(servers, f"cancel-en-{step}")
    chat.say(start)
    for answer in before:
        chat.say(answer)
    reply = chat.say(cancel)
    assert "Nothing was stored" in reply and "?" not in reply.split("Nothing was stored")[0]
    assert complaints_of(servers, chat.sender) == []


def test_i_agree_at_consent_is_never_read_as_a_cancel(servers):
    chat = Chat(servers, "agree-en")
    for answer in [EN_START, choose("coverage_signal"), "China Telecom", "13912345678", "Haidian, Beijing"]:
        chat.say(answer)
    reply = chat.say("I agree")
    assert "cancelled" not in reply and "Please check your complaint" in reply


# ------------------------------------------------------------ an unreadable answer at a yes/no step


@pytest.mark.parametrize(
    ("language", "steps", "unclear", "again", "yes", "asked", "unclear_text", "offer_text"),
    [
        ("zh", ZH_STEPS[5][2], "你们会把我的号码给别人吗", "这个是干嘛用的", "好的同意", "保存2年", "没能确定您的意思",
         "回复“取消”"),
        ("en", EN_STEPS[4][2], "how long will you keep it?", "hmm", "yes", "2 years", "couldn't tell",
         "type “cancel”"),
    ],
)  # fmt: skip
def test_an_unreadable_answer_to_consent_is_asked_again_then_offered_to_cancel_and_a_yes_still_files(
    servers, language, steps, unclear, again, yes, asked, unclear_text, offer_text
):
    chat = Chat(servers, f"unclear-consent-{language}")
    chat.say("我要投诉" if language == "zh" else EN_START)
    for answer in steps:
        chat.say(answer)
    first = chat.say(unclear)
    assert unclear_text in first and asked in first, "told it was not understood, then asked again"
    assert len(buttons(chat.last)) == 2, "the question comes back with its yes/no buttons"
    second = chat.say(again)
    assert offer_text in second and asked in second
    summary = chat.say(yes)
    assert "138****5678" in summary or "139****5678" in summary
    assert complaints_of(servers, chat.sender) == [], "nothing is stored before the summary is confirmed"


@pytest.mark.parametrize(
    ("language", "steps", "unclear", "yes", "summary_text"),
    [
        ("zh", ZH_STEPS[6][2], "等一下，描述能不能改", "确认", "请确认投诉信息"),
        ("en", EN_STEPS[5][2], "can I change the description first", "ok go ahead", "Please check your complaint"),
    ],
)
def test_an_unreadable_answer_to_the_summary_shows_it_again_and_a_yes_files(
    servers, language, steps, unclear, yes, summary_text
):
    chat = Chat(servers, f"unclear-summary-{language}")
    chat.say("我要投诉" if language == "zh" else EN_START)
    for answer in steps:
        chat.say(answer)
    assert summary_text in chat.say(unclear)
    assert complaints_of(servers, chat.sender) == []
    filed = chat.say(yes)
    assert TICKET.search(filed)
    (row,) = complaints_of(servers, chat.sender)
    assert row["category"] == "coverage_signal" and row["place"] in ("海淀区", "Haidian, Beijing")


# ------------------------------------------------------------ the status look-up


def file_a_complaint(servers) -> tuple[str, str]:
    chat = Chat(servers, "status")
    for answer in ["我要投诉", choose("billing"), "移动", "这个月多扣了我20块钱", "13812345678", "同意"]:
        chat.say(answer)
    return TICKET.search(chat.say("确认")).group(0), chat.sender


def test_the_status_look_up_in_both_languages_with_a_wrong_ticket_asked_again(servers):
    ticket, _ = file_a_complaint(servers)
    zh = Chat(servers, "status-zh")
    assert "单号" in zh.say("我想查一下投诉处理得怎么样了")
    assert "格式不对" in zh.say("C2026-12")
    assert "后4位" in zh.say(ticket.lower())
    status = zh.say("5678")
    assert ticket in status and "待处理" in status
    en = Chat(servers, "status-en")
    en.say(f"what's the status of complaint {ticket}?")
    assert "No complaint matches" in en.say("1234"), "a wrong last 4 digits reveals nothing"


@pytest.mark.parametrize(
    ("start", "cancel", "said"), [("查询投诉进度", "算了", "不查了"), ("complaint status", "never mind", "no look-up")]
)
def test_the_status_look_up_can_be_cancelled(servers, start, cancel, said):
    chat = Chat(servers, "status-cancel")
    chat.say(start)
    assert said in chat.say(cancel)


# ------------------------------------------------------------ look-ups and their follow-ups


@pytest.mark.parametrize(
    ("typed", "place"), [("北京", "北京市朝阳区"), ("第二个", "辽宁省朝阳市"), ("2", "辽宁省朝阳市")]
)
def test_an_ambiguous_place_is_picked_by_typing(servers, typed, place):
    chat = Chat(servers, "pick-zh")
    assert "多个结果" in chat.say("朝阳有5G吗")
    answer = chat.say(typed)
    assert place in answer and "示例数据" in answer


def test_an_ambiguous_place_is_picked_in_english_and_followed_up(servers):
    chat = Chat(servers, "pick-en")
    assert "more than one" in chat.say("is there 5G in Chaoyang?")
    answer = chat.say("the Liaoning one")
    assert "Liaoning" in answer and "Sample data" in answer
    assert "Haidian" in chat.say("and Haidian district?")


def test_a_handset_follow_up_the_catalogue_lacks_is_told_so_with_where_to_check(servers):
    chat = Chat(servers, "handset")
    assert "iPhone 12" in chat.say("iPhone 12能用5G吗")
    reply = chat.say("那小米13呢")
    assert "没有“小米13”" in reply and "厂商" in reply


def test_plans_listed_then_one_named_by_price_then_a_follow_up_price(servers):
    chat = Chat(servers, "plans-zh")
    listed = chat.say("你们有哪些5G套餐")
    assert "示例5G合约套餐129元" in listed and "示例5G畅享套餐199元" in listed and "示例数据" in listed
    assert "4G套餐" not in listed
    terms = chat.say("199的套餐")
    assert "示例5G畅享套餐199元" in terms and "限速" in terms and "示例数据" in terms
    follow_up = chat.say("那129的呢")
    assert "示例5G合约套餐129元" in follow_up and "24" in follow_up


def test_the_cheapest_plan_and_a_follow_up_for_more_data_in_english(servers):
    chat = Chat(servers, "plans-en")
    chat.say("which 5G plan is the cheapest")
    cheapest = chat.last[-1]["text"]
    assert "Sample 5G 59" in cheapest.split("\n")[1] and "Sample data" in cheapest
    more = chat.say("and with more data?")
    assert "Sample data" in more and "Sample 5G 59 " not in more.split("\n")[1]


def test_a_budget_recommendation_in_chinese(servers):
    reply = Chat(servers, "plans-budget").say("给我推荐个便宜点的5G套餐，每月不超过100块")
    assert "示例5G" in reply and "示例数据" in reply and "199" not in reply


def test_a_lookup_cancelled_when_asked_for_the_place(servers):
    chat = Chat(servers, "lookup-cancel")
    assert "哪个地方" in chat.say("帮我查一下那边有没有5G覆盖")
    assert "不查了" in chat.say("算了")


# ------------------------------------------------------------ the welcome in the user's language


def test_an_english_first_message_gets_the_english_welcome_then_the_answer(servers):
    messages = servers.send(new_sender("welcome-en"), "hi, can my phone use 5G?")
    assert messages[0]["text"].startswith("Hello! I'm the 5G service assistant")
    assert not re.search(r"[\u4e00-\u9fff]{4,}", texts(messages[:1]).split("(中文")[0])


def test_a_chinese_first_message_gets_the_chinese_welcome(servers):
    messages = servers.send(new_sender("welcome-zh"), "你好，我想问问5G")
    assert messages[0]["text"].startswith("您好！我是5G服务助手")
