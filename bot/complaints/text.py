"""Cleaning free text where it enters (chat, desk): no NUL or other control characters, no lone surrogates.

PostgreSQL refuses a NUL in text, a lone surrogate cannot be encoded as UTF-8 (so neither stored nor
sent back in JSON), and bidirectional overrides can disguise what a note says. Line breaks and tabs stay
(a tab becomes a space); everything else of Unicode's categories Cc and Cs, and the bidi controls, goes.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _kept(char: str) -> bool:
    return char in "\n" or unicodedata.category(char) not in ("Cc", "Cs")


def clean_text(text: str) -> str:
    """The text without control characters (except line breaks), lone surrogates or bidi overrides."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _BIDI_CONTROLS.sub("", text)
    return text if all(map(_kept, text)) else "".join(filter(_kept, text))


def clean_line(text: str) -> str:
    """One line of clean text: line breaks become spaces too (search terms, names)."""
    return clean_text(text).replace("\n", " ")
