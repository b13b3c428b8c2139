"""Hiding phone numbers (and other long numbers) in free text and in every log record.

Users write their number in many ways: "139 8765 4321", "139.8765.4321", "139  1111  2222",
"139/8765/4321", "(+86) 139-8765-4321", full-width "１３９８７６５４３２１" or in Chinese numerals
("一三九八七六五四三二一", "幺三九…"). All of them are found and masked like a phone number
(138****5678). Standard library only: the Rasa server, the action server and the web front
install the same log redaction at start.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# Chinese numerals as people read out phone numbers (幺 for 1, 两 for 2, 〇/零 for 0).
_CHINESE_DIGITS = {"〇": "0", "零": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4"}
_CHINESE_DIGITS.update({"五": "5", "六": "6", "七": "7", "八": "8", "九": "9"})
_DIGIT = r"[\d" + "".join(_CHINESE_DIGITS) + "]"
# Between digits: up to three spaces, dashes, dots, slashes or brackets (any width), as people group numbers.
_SEPARATOR = r"[\s\-‐–—―−－~～_＿.．/／()（）·・]{0,3}"
# Digit runs, even glued to letters ("tel13987654321"); ticket numbers (C20261129-0001) stay readable.
_TICKET = r"(?P<ticket>(?<![A-Za-z\d])[Cc]\d{8}-\d{4,}(?!\d))"
_NUMBER = re.compile(rf"{_TICKET}|(?<!\d)[+＋]?{_DIGIT}(?:{_SEPARATOR}{_DIGIT})*")
_COUNTRY_CODE = re.compile(r"^(?:0086|86)(?=\d{11}$)")
_HAS_DIGIT = re.compile(_DIGIT)
_TO_ASCII = str.maketrans({**_CHINESE_DIGITS, **{chr(0xFF10 + n): str(n) for n in range(10)}})


def mask_phone(phone: str) -> str:
    """First three and last four digits ("138****5678"); short or odd input is masked entirely."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def _digits(text: str) -> str:
    """The digits of a match in ASCII (full-width, other scripts' and Chinese numerals converted)."""
    converted = "".join(str(int(c)) if c.isdigit() else c for c in text.translate(_TO_ASCII))
    return "".join(c for c in converted if c.isascii() and c.isdigit())


def _mask(match: re.Match[str]) -> str:
    """Phone, ID card and bank card numbers (11+ digits, or a 7+ digit group); dates and prices stay."""
    if match.group("ticket"):
        return match.group()
    groups = re.findall(_DIGIT + "+", match.group())
    if sum(map(len, groups)) < 11 and max(map(len, groups)) < 7:
        return match.group()
    return mask_phone(_COUNTRY_CODE.sub("", _digits(match.group())))


def redact_numbers(text: str) -> str:
    """The text with every long number masked like a phone number (138****5678)."""
    return _NUMBER.sub(_mask, text)


def looks_numeric(text: str) -> bool:
    """Whether a search text holds a digit or two Chinese numerals in a row: it could probe a masked number."""
    return re.search(rf"\d|{_DIGIT}{{2}}", text) is not None


def install_log_redaction() -> None:
    """Masks long numbers in every log record this process makes from now on (whatever logger, whatever
    handler, the message with its arguments and any traceback). Installing twice changes nothing."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed log call is logging's to report, not ours
            return record
        if _HAS_DIGIT.search(message):
            redacted = redact_numbers(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:  # tracebacks quote SQL parameters and error texts
            record.exc_text = redact_numbers(logging.Formatter().formatException(record.exc_info))
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def excerpt(text: str, length: int = 80) -> str:
    """A one-line, redacted excerpt of at most `length` characters (notifications, the desk's lists)."""
    line = " ".join(redact_numbers(text).split())
    return line if len(line) <= length else line[: length - 1] + "…"
