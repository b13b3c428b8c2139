"""Reading a short answer to a yes/no question, and an explicit cancel, in Chinese and English.

The NLU model classifies a message without knowing the question it answers: "I agree"
can come back as `stop` and "agree" as an FAQ question. At a yes/no step of a form the
question decides, so the form reads the words itself with `read_reply`. The reader is
deliberately conservative: a sentence it cannot read as a clear yes, a clear no or an
explicit cancel is `None`, and the form asks again instead of guessing either way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Reply = Literal["yes", "no", "cancel"]

PAYLOADS: dict[str, Reply] = {"/affirm": "yes", "/deny": "no", "/stop": "cancel"}

# Explicit cancels: these stop a form at any step, not only at a yes/no question. A cancel
# word must be about the conversation, not the user's problem: "取消掉" and "cancel this form"
# cancel, "营业厅不给我取消业务" and "make them stop charging me" are descriptions.
CANCEL_ZH_ANYWHERE = re.compile(
    r"(算了|不要了|不用了|不弄了|不办了|不查了|不填了|别填了|不提了|不投诉了|不登记了|不提交了|别弄了|别问了|"
    r"懒得(填|弄|搞|查)了?|以后再说|下次再说|改天再说|回头再说|不想(投诉|弄|办|查|填|继续|提)了?|"
    r"(别|不要|不用)(再)?继续|先别继续|停一停|先停一下|停一下|免了)"
)
CANCEL_ZH_VERB = re.compile(
    r"(取消|撤回|撤销|撤掉|终止|中止|结束|退出|推出|停止|停下|算)(掉|吧|了|啦)?"
    r"(这个|这次|本次)?(投诉|登记|查询|流程|表格?|对话|一切|全部|所有)?(吧|了|啦)?$"
)
MAX_CANCEL_ZH = 20
CANCEL_EN_VERB = re.compile(
    r"\b(cancel|stop|quit|abort|exit|scrap)\b"
    r"(?!\s*(?:charging|billing|taking|sending|calling|working|dropping|deducting|my (?:plan|contract|number|service|"
    r"line|sim)|the (?:plan|contract|service|subscription|add-on|package)))"
    r"(?:\s+(?:it|this|that|these|all|everything|now|here|there|right there|right now|please|pls|asking|filing|"
    r"the|whole|thing|form|complaint|lookup|look-up|search|request|questions?|process|conversation|chat|"
    r"about it|off))*\s*(?:[,.!;]|$)"
)
CANCEL_EN_PHRASE = re.compile(
    r"\b(never ?mind|nvm|call (?:it|this|that|the whole thing|everything) off|i'?m done|i am done|"
    r"i(?:'ve| have)? changed my mind|leave it|forget (?:it|about it|that|the whole thing)|not anymore|"
    r"drop (?:it|this|that|the complaint|the whole thing)|"
    r"don'?t want to (?:continue|go on|file it|complain|do this)(?: anymore)?)\b"
)
MAX_CANCEL_EN_WORDS = 12
CANCEL_ONLY_ZH = {"停", "停止", "不要", "不要了吧", "不了", "不用"}

YES_ZH = {
    "是",
    "是的",
    "是啊",
    "是呀",
    "对",
    "对的",
    "对啊",
    "对呀",
    "对头",
    "嗯",
    "嗯嗯",
    "恩",
    "恩恩",
    "好",
    "好的",
    "好啊",
    "好呀",
    "好吧",
    "行",
    "行的",
    "行吧",
    "可以",
    "可以的",
    "可以啊",
    "同意",
    "我同意",
    "同意的",
    "没问题",
    "没有问题",
    "确认",
    "确定",
    "确认提交",
    "提交",
    "提交吧",
    "没错",
    "要",
    "需要",
    "愿意",
    "接受",
    "我接受",
    "我愿意",
    "当然",
    "当然可以",
    "登记",
    "登记吧",
    "好的提交",
    "好的谢谢",
    "可以提交",
    "确认无误",
    "对的提交",
    "同意保存",
    "同意并提交",
    "就这样",
    "就这样吧",
    "嗯对",
    "嗯好",
    "嗯可以",
    "对没错",
    "是的没错",
    "好嘞",
    "好滴",
    "是滴",
    "没意见",
    "没毛病",
    "都对",
    "信息都对",
    "这么办",
    "这么提交",
    "按这个来",
    "这样",
    "ok",
    "okay",
    "同意提交",
}
NO_ZH = {
    "不",
    "不是",
    "不对",
    "不同意",
    "否",
    "不行",
    "不可以",
    "不好",
    "不愿意",
    "拒绝",
    "不确认",
    "不接受",
    "我不同意",
    "不需要",
    "没有",
    "不要提交",
    "不提交",
    "别提交",
    "错了",
    "不对的",
    "不是的",
    "不了谢谢",
}
# Particles and politeness around a short Chinese answer: "好的呀", "嗯，可以的，谢谢".
ZH_FILLER = re.compile(r"(吧|啊|呀|呢|哦|噢|喔|哈|啦|了|嘛|的|请|谢谢|麻烦了|你|您|我|就|那)")

YES_EN = re.compile(
    r"\b(yes|yeah|yea|yep|yup|ya|sure|ok|okay|k|agree|agreed|fine|correct|right|confirm|confirmed|"
    r"submit|go ahead|go for it|do it|please do|file it|sounds good|absolutely|of course|definitely|"
    r"accept|i accept|true|alright|all right|affirmative|y)\b"
)
NO_EN = re.compile(
    r"\b(no|nope|nah|not|don'?t|do not|didn'?t|doesn'?t|isn'?t|wasn'?t|won'?t|disagree|never|wrong|incorrect|"
    r"decline|refuse|still broken|n)\b"
)
# "no problem" is a yes; a negated yes ("not ok", "don't agree") is caught by NO_EN first.
YES_DESPITE_NO_EN = re.compile(r"^(no problem|no worries|why not)\b")
MAX_YES_WORDS = 8
MAX_YES_ZH_CHARS = 8
MAX_NO_ZH_CHARS = 12
NOT_A_NO_ZH = ("没问题", "没错", "没意见", "没毛病", "不错")
PUNCTUATION = re.compile(r"[^\w\s'\u4e00-\u9fff]+")
YES_EMOJI = ("👍", "👌", "✅", "🆗", "🙆")
NO_EMOJI = ("👎", "❌", "🙅")


TRADITIONAL = (
    ("對", "对"), ("確認", "确认"), ("確定", "确定"), ("問題", "问题"), ("沒", "没"), ("終止", "终止"), ("這", "这"),
    ("個", "个"), ("撤銷", "撤销"), ("繼續", "继续"), ("別", "别"), ("錯", "错"), ("還", "还"), ("說", "说"),
    ("幫", "帮"), ("訴", "诉"), ("記", "记"), ("詢", "询"), ("結束", "结束"), ("無", "无"), ("辦", "办"),
)  # fmt: skip


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    text = text.replace("’", "'").replace("‘", "'")
    # a few traditional forms people type without converting
    for traditional, simplified in TRADITIONAL:
        text = text.replace(traditional, simplified)
    return re.sub(r"\s+", " ", PUNCTUATION.sub(" ", text)).strip()


def is_cancel(text: str) -> bool:
    """An explicit request to stop what is going on ("算了", "cancel", "never mind")."""
    raw = (text or "").strip()
    if raw.startswith("/"):
        return PAYLOADS.get(raw.split("{")[0]) == "cancel"
    cleaned = _clean_keeping_commas(raw)
    if not cleaned:
        return False
    if re.search(r"(不要|别|不用|不想|don'?t|do not|not)\s*(取消|cancel|stop)", cleaned):
        return False
    if len(cleaned.split()) <= MAX_CANCEL_EN_WORDS and (
        CANCEL_EN_PHRASE.search(cleaned) or CANCEL_EN_VERB.search(cleaned)
    ):
        return True
    compact = re.sub(r"[\s,.!;]", "", cleaned)
    if ZH_FILLER.sub("", compact) in CANCEL_ONLY_ZH or compact in CANCEL_ONLY_ZH:
        return True
    if len(compact) > MAX_CANCEL_ZH:
        return False
    if CANCEL_ZH_ANYWHERE.search(compact):
        return True
    # a cancel verb closing a clause: "取消掉", "先停一下，这个投诉我不提了", "终止这个流程"
    clauses = [c for c in re.split(r"[\s,.!;，。！；]+", unicodedata.normalize("NFKC", raw)) if c]
    return any(CANCEL_ZH_VERB.search(_clean(c).replace(" ", "")) for c in clauses) or bool(
        re.match(r"^(取消|终止|中止|结束|退出|停止)(这个|本次|这次)?(投诉|登记|查询|流程|表格?|对话)?", compact)
    )


def _clean_keeping_commas(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lower().replace("’", "'").replace("‘", "'")
    for traditional, simplified in TRADITIONAL:
        text = text.replace(traditional, simplified)
    text = re.sub(r"[^\w\s',.!;\u4e00-\u9fff]+", " ", text.replace("，", ",").replace("。", "."))
    return re.sub(r"\s+", " ", text).strip()


def read_reply(text: str) -> Reply | None:
    """ "yes", "no" or "cancel" for an answer to a yes/no question; None when it is not clear."""
    raw = (text or "").strip()
    if raw.startswith("/"):
        return PAYLOADS.get(raw.split("{")[0])
    if is_cancel(raw):
        return "cancel"
    if any(e in raw for e in NO_EMOJI):
        return "no"
    cleaned = _clean(raw)
    if not cleaned:
        return "yes" if any(e in raw for e in YES_EMOJI) else None
    compact = cleaned.replace(" ", "")
    if re.search(r"[\u4e00-\u9fff]", compact):
        return _read_chinese(compact)
    return _read_english(cleaned)


def _read_chinese(compact: str) -> Reply | None:
    compact = re.sub(r"[a-z0-9']+", lambda m: m.group(0) if m.group(0) in {"ok", "okay"} else "", compact)
    for candidate in (compact, ZH_FILLER.sub("", compact)):
        if candidate in NO_ZH:
            return "no"
        if candidate in YES_ZH or candidate in {"ok", "okay", "ok好的", "好ok"}:
            return "yes"
    if re.match(r"^(不|没|别|否|错)", compact) and not compact.startswith(NOT_A_NO_ZH):
        return "no" if len(compact) <= MAX_NO_ZH_CHARS else None
    if len(compact) <= MAX_NO_ZH_CHARS and re.search(r"不是|不对|没用|错了|填错|没解决|不同意|不行|没好", compact):
        return "no"
    stripped = ZH_FILLER.sub("", compact)
    if len(stripped) <= MAX_YES_ZH_CHARS and _made_of_yes_words(stripped):
        return "yes"
    return None


_YES_PARTS_ZH = sorted({ZH_FILLER.sub("", word) for word in YES_ZH} - {""}, key=len, reverse=True)


def _made_of_yes_words(text: str) -> bool:
    """ "好提交" (from "好的，提交吧"), "嗯嗯可以": a short answer made only of yes words."""
    if not text:
        return False
    return any(
        text.startswith(part) and (part == text or _made_of_yes_words(text[len(part) :])) for part in _YES_PARTS_ZH
    )


def _read_english(cleaned: str) -> Reply | None:
    words = cleaned.split()
    if YES_DESPITE_NO_EN.match(cleaned):
        return "yes"
    if NO_EN.search(cleaned):
        return "no" if len(words) <= MAX_YES_WORDS else None
    if YES_EN.search(cleaned) and len(words) <= MAX_YES_WORDS:
        return "yes"
    if re.search(r"\bthat'?s (right|correct|it|fine)\b|\bthats (right|correct)\b|\blooks (good|right|fine)\b", cleaned):
        return "yes"
    return None
