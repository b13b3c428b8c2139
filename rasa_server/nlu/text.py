"""Pure text helpers shared by the NLU components: normalisation and script-based language detection.

Kept free of rasa imports so they are cheap to test and reuse.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")
# A Chinese word is about 1.5 characters long: compare like with like.
HAN_CHARS_PER_WORD = 1.5
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Simplified characters, half-width forms, no control characters, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = CONTROL.sub(" ", text)
    text = _t2s().convert(text)
    return SPACES.sub(" ", text).strip()


def detect_language(text: str) -> str | None:
    """Return "zh" or "en" by the script the message is mostly written in, or None.

    None means there is nothing to go by (emoji, digits, punctuation, an intent
    payload): the conversation keeps its current language.
    """
    if not text or text.startswith("/"):
        return None
    han = len(HAN.findall(text))
    words = len(LATIN_WORD.findall(text))
    if han == 0 and words == 0:
        return None
    return "zh" if han / HAN_CHARS_PER_WORD >= words else "en"
