"""Reading a 1-5 satisfaction answer in Chinese or English.

Conservative like the yes/no reader (bot/dialogue/replies.py): only an answer that names one
score from 1 to 5 is a rating ("5", "４分", "五星", "four stars", "★★★", "3/5"); anything else,
"10", "3 or 4", "not bad", is None and the question is asked again, never guessed.
"""

from __future__ import annotations

import re
import unicodedata

from bot.dialogue.replies import is_cancel

ZH_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
STARS = re.compile(r"^[★⭐*]{1,5}$")
LEAD_EN = r"(?:i (?:give|rate)(?: (?:it|you|them))? |rating:? |score:? )?"
UNIT_EN = r"(?:stars?|points?|out of (?:5|five))"
ARABIC = re.compile(rf"^{LEAD_EN}([1-5])(?:\s*(?:/\s*5|分|星|颗星|{UNIT_EN}))?$")
CHINESE = re.compile(r"^(?:我?(?:打|给|评)了?)?([一二两三四五])(?:分|星|颗星)$|^([一二三四五])$")
ENGLISH = re.compile(rf"^{LEAD_EN}(one|two|three|four|five)(?: {UNIT_EN})?$")
SKIP_WORDS = re.compile(r"^(跳过|不评了?|不打分了?|不想评价?|skip(?: it)?|no rating|no thanks|pass)$")


def _clean(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text or "").strip().lower()
    return re.sub(r"[\s。.!！~～]+$", "", re.sub(r"\s+", " ", cleaned))


def read_rating(text: str) -> int | None:
    """The score 1-5 the answer names, or None when it names none or more than one."""
    cleaned = _clean(text)
    if STARS.match(cleaned.replace(" ", "")):
        return len(cleaned.replace(" ", ""))
    if match := ARABIC.match(cleaned):
        return int(match.group(1))
    if match := CHINESE.match(cleaned.replace(" ", "")):
        return ZH_NUMBERS[match.group(1) or match.group(2)]
    if match := ENGLISH.match(cleaned):
        return EN_NUMBERS[match.group(1)]
    return None


def is_skip(text: str) -> bool:
    """The user does not want to rate ("跳过", "skip", or an explicit cancel such as "算了")."""
    return bool(SKIP_WORDS.match(_clean(text))) or is_cancel(text)
