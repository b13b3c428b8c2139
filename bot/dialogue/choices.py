"""Which of the offered choices a typed answer means: its number, an ordinal, or its words.

Buttons are not the only way people answer: on WeChat there are none, and in the chat
window many type "北京", "the Liaoning one", "2" or "第一个" instead of tapping. The
actions store what they offered (the `offered_choices` slot) and resolve the next
answer against it with `resolve_choice`. Ambiguous or unrelated text resolves to None,
so the caller treats it as a new answer rather than guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

ZH_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
EN_ORDINALS = {
    "first": 1,
    "1st": 1,
    "one": 1,
    "second": 2,
    "2nd": 2,
    "two": 2,
    "third": 3,
    "3rd": 3,
    "three": 3,
    "fourth": 4,
    "4th": 4,
    "four": 4,
    "fifth": 5,
    "5th": 5,
    "five": 5,
    "sixth": 6,
    "6th": 6,
    "six": 6,
    "seventh": 7,
    "7th": 7,
    "seven": 7,
    "eighth": 8,
    "8th": 8,
    "eight": 8,
}
NUMBER_ONLY = re.compile(r"^(?:#|no\.?|number|option|choice|选|选择|选第|第)?\s*(\d{1,2})\s*(?:个|项|号|条|个吧|\.)?$")
ZH_ORDINAL = re.compile(r"^(?:我?(?:选|要|是)?)?第([一二两三四五六七八九十\d]{1,2})(?:个|项|条|种|款|家)")
EN_ORDINAL = re.compile(
    r"^(?:i'?ll take |i mean |i want |give me |pick |choose |select )?(?:the )?"
    r"(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|seventh|7th|eighth|8th|last)"
    r"(?: one| option| choice)?(?: please)?$"
)
LAST_ZH = re.compile(r"^(?:我?(?:选|要)?)?最后(?:一个|那个|一项)")
# Words around a choice that do not name it: "the Liaoning one", "我要北京那个".
EN_FILLER = {
    "the",
    "one",
    "a",
    "an",
    "i",
    "mean",
    "meant",
    "want",
    "please",
    "pls",
    "in",
    "of",
    "that",
    "this",
    "option",
    "choice",
    "pick",
    "choose",
    "take",
    "ll",
    "it",
    "s",
    "is",
    "my",
    "for",
    "about",
    "plan",
    "yes",
}
ZH_FILLER = re.compile(r"(那个|这个|那一个|的那个|我要|我选|我说的是|我指的是|是|选|要|的|吧|啊|呀|呢|就|哪个|一个)")


@dataclass(frozen=True)
class Choice:
    """One offered option: what it stands for, and the titles shown for it (any language)."""

    value: str
    titles: tuple[str, ...]

    def as_slot(self) -> dict[str, object]:
        return {"value": self.value, "titles": list(self.titles)}

    @classmethod
    def from_slot(cls, data: object) -> Choice | None:
        if not isinstance(data, dict) or "value" not in data:
            return None
        titles = data.get("titles") or []
        return cls(str(data["value"]), tuple(str(t) for t in titles if t))


def choices_from_slot(data: object) -> list[Choice]:
    items = data if isinstance(data, list) else []
    return [choice for choice in (Choice.from_slot(item) for item in items) if choice]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lower().replace("’", "'")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s'\u4e00-\u9fff]+", " ", text)).strip()


def _number(text: str) -> int | None:
    if match := NUMBER_ONLY.match(text.replace(" ", "") if re.search(r"[\u4e00-\u9fff]", text) else text):
        return int(match.group(1))
    compact = text.replace(" ", "")
    if match := ZH_ORDINAL.match(compact):
        token = match.group(1)
        if token.isdigit():
            return int(token)
        if token == "十":
            return 10
        return ZH_NUMBERS.get(token[-1]) if len(token) == 1 else None
    if LAST_ZH.match(compact):
        return -1
    if match := EN_ORDINAL.match(text):
        return -1 if match.group(1) == "last" else EN_ORDINALS[match.group(1)]
    return None


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _overlap(query: str, title: str) -> int:
    """How much of the typed text appears in a title: shared English words, shared Chinese bigrams."""
    title_clean = _clean(title)
    words = [w for w in re.findall(r"[a-z0-9']+", query) if w not in EN_FILLER and len(w) > 1]
    score = sum(3 for w in words if re.search(rf"\b{re.escape(w)}", title_clean))
    han = ZH_FILLER.sub("", "".join(re.findall(r"[\u4e00-\u9fff]+", query)))
    if han:
        title_compact = title_clean.replace(" ", "")
        score += 4 if han in title_compact else 0
        score += len(_bigrams(han) & _bigrams(title_compact))
    return score


def resolve_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice the user typed, or None when it names none of them or more than one."""
    if not choices:
        return None
    cleaned = _clean(text)
    if not cleaned:
        return None
    number = _number(cleaned)
    if number is not None:
        if number == -1:
            return choices[-1]
        return choices[number - 1] if 1 <= number <= len(choices) else None
    for choice in choices:
        if any(_clean(title) == cleaned for title in (*choice.titles, choice.value)):
            return choice
    scores = [max(_overlap(cleaned, title) for title in (*choice.titles, choice.value)) for choice in choices]
    best = max(scores)
    if best <= 0 or scores.count(best) > 1:
        return None
    return choices[scores.index(best)]
