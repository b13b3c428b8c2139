"""Hiding personal numbers in free text users typed (descriptions, fallback messages) before it leaves the desk."""

from __future__ import annotations

import re

from bot.complaints.model import mask_phone

# Digit runs (any script: full-width too) possibly split by single spaces or dashes, not glued to a Latin
# letter (ticket numbers like C20261129-0001 and model codes stay readable).
_NUMBER = re.compile(r"(?<![A-Za-z\d])\+?\d(?:[\s\-]?\d)*")
_COUNTRY_CODE = re.compile(r"^(?:0086|86)(?=\d{11}$)")


def _mask(match: re.Match[str]) -> str:
    """Phone, ID card and bank card numbers (11+ digits, or a 7+ digit group); dates and prices stay."""
    groups = re.findall(r"\d+", match.group())
    if sum(map(len, groups)) < 11 and max(map(len, groups)) < 7:
        return match.group()
    return mask_phone(_COUNTRY_CODE.sub("", "".join(groups)))


def redact_numbers(text: str) -> str:
    """The text with every long number masked like a phone number (138****5678)."""
    return _NUMBER.sub(_mask, text)


def excerpt(text: str, length: int = 80) -> str:
    """A one-line, redacted excerpt of at most `length` characters."""
    line = " ".join(redact_numbers(text).split())
    return line if len(line) <= length else line[: length - 1] + "…"
