"""Hiding personal numbers in free text users and agents typed before it leaves the desk.

The masking itself is common/redact.py's (the Rasa server masks its logs with it too); this module
adds the desk's one-line excerpts.
"""

from __future__ import annotations

from common.redact import looks_numeric as looks_numeric
from common.redact import redact_numbers as redact_numbers


def excerpt(text: str, length: int = 80) -> str:
    """A one-line, redacted excerpt of at most `length` characters."""
    line = " ".join(redact_numbers(text).split())
    return line if len(line) <= length else line[: length - 1] + "…"
