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

# Explicit cancels: these stop a form at any step, not only at a yes/no question.
CANCEL_ZH = re.compile(
    r"(算了|不要了|不用了|取消|不弄了|不办了|不查了|不投诉了|不登记了|不提交了|别弄了|不想(投诉|弄|办|查)了|退出|不聊了)"
)
CANCEL_EN = re.compile(
    r"^(?:(?:ok|okay|oh|please|pls|just|no|nah)[ ,]+)*"
    r"(cancel|stop|never ?mind|nvm|forget (?:it|about it)|quit|exit|abort|i changed my mind|"
    r"i(?:'ve| have) changed my mind|leave it|drop it)"
    r"(?:[ ,]+(?:it|this|that|the complaint|please|pls|thanks|thank you|then))*$"
)
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
NO_EN = re.compile(r"\b(no|nope|nah|not|don'?t|do not|disagree|never|wrong|incorrect|decline|refuse|n)\b")
# "no problem" is a yes; a negated yes ("not ok", "don't agree") is caught by NO_EN first.
YES_DESPITE_NO_EN = re.compile(r"^(no problem|no worries|why not)\b")
MAX_YES_WORDS = 8
MAX_YES_ZH_CHARS = 8
PUNCTUATION = re.compile(r"[^\w\s'\u4e00-\u9fff]+")
YES_EMOJI = ("👍", "👌", "✅", "🆗", "🙆")
NO_EMOJI = ("👎", "❌", "🙅")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    text = text.replace("’", "'").replace("‘", "'")
    # a few traditional forms people type without converting
    for traditional, simplified in (("對", "对"), ("確認", "确认"), ("確定", "确定"), ("問題", "问题"), ("沒", "没")):
        text = text.replace(traditional, simplified)
    return re.sub(r"\s+", " ", PUNCTUATION.sub(" ", text)).strip()


def is_cancel(text: str) -> bool:
    """An explicit request to stop what is going on ("算了", "cancel", "never mind")."""
    raw = (text or "").strip()
    if raw.startswith("/"):
        return PAYLOADS.get(raw.split("{")[0]) == "cancel"
    cleaned = _clean(raw)
    if not cleaned:
        return False
    if re.search(r"(不要|别|不用|don'?t|do not|not)\s*(取消|cancel|stop)", cleaned):
        return False
    if CANCEL_EN.match(cleaned):
        return True
    compact = cleaned.replace(" ", "")
    if ZH_FILLER.sub("", compact) in CANCEL_ONLY_ZH or compact in CANCEL_ONLY_ZH:
        return True
    return bool(CANCEL_ZH.search(compact)) and len(compact) <= 16


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
    if re.match(r"^(不|没有|别|否)", compact) and not compact.startswith(("没问题", "不错")):
        return "no" if len(compact) <= MAX_YES_ZH_CHARS else None
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
