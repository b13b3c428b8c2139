"""Mainland China mobile numbers: normalising what users type, and masking for display and logs."""

from __future__ import annotations

import re
import unicodedata

from bot.complaints.errors import InvalidPhone
from common.redact import mask_phone as mask_phone  # one masking for display and logs, both environments

_SEPARATORS = re.compile(r"[\s\-.()]")
_COUNTRY_CODE = re.compile(r"^(?:\+86|0086|86(?=\d{11}$))")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mainland_mobile(text: str) -> str:
    """The 11-digit number in "138 1234 5678", "+86 138-1234-5678", full-width digits ...

    Raises InvalidPhone with reason "not_digits", "wrong_length" or "bad_prefix"
    (mainland mobile numbers are 11 digits starting 13-19).
    """
    number = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    number = _COUNTRY_CODE.sub("", number)
    if not number.isascii() or not number.isdigit():
        raise InvalidPhone("wrong_length" if not number else "not_digits")
    if len(number) != 11:
        raise InvalidPhone("wrong_length")
    if not _MOBILE.match(number):
        raise InvalidPhone("bad_prefix")
    return number
