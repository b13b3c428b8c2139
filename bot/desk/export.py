"""Complaints as CSV for supervisors: UTF-8 with a byte order mark, so Excel shows Chinese correctly.

Phone numbers are masked, long numbers in every free text too (description, place, handset, resolution), and cells that
spreadsheet programs would run as formulas are defused (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from bot.complaints.categories import CATEGORIES
from bot.complaints.model import Complaint, mask_phone
from bot.complaints.text import clean_text
from bot.complaints.ticket import CHINA_STANDARD_TIME
from common.redact import redact_numbers

BOM = "\ufeff"
COLUMNS = (
    "ticket",
    "created_at",
    "status",
    "category",
    "category_zh",
    "regulatory_class",
    "operator",
    "place",
    "handset",
    "channel",
    "language",
    "contact_phone",
    "assigned_agent",
    "deadline",
    "overdue",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "description",
    "resolution",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def complaints_csv(complaints: Iterable[Complaint], now: datetime) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for complaint in complaints:
        writer.writerow([_cell(value) for value in _row(complaint, now)])
    return out.getvalue()


def _row(complaint: Complaint, now: datetime) -> list[object]:
    category = CATEGORIES.get(complaint.category)
    return [
        complaint.ticket,
        _time(complaint.created_at),
        complaint.status.value,
        complaint.category,
        category.labels.zh if category else "",
        complaint.regulatory_class.value,
        complaint.operator,
        redact_numbers(complaint.place or ""),
        redact_numbers(complaint.handset or ""),
        complaint.channel,
        complaint.language,
        mask_phone(complaint.contact_phone),
        complaint.assigned_agent or "",
        _time(complaint.deadline),
        "yes" if complaint.is_overdue(now) else "no",
        _time(complaint.first_response_at),
        _time(complaint.resolved_at),
        _time(complaint.closed_at),
        complaint.reopen_count,
        redact_numbers(complaint.description),
        redact_numbers(complaint.resolution or ""),
    ]


def _time(moment: datetime | None) -> str:
    """Beijing time without a zone suffix, which Excel reads as a date and time."""
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _cell(value: object) -> object:
    """Control characters (a NUL from older records) dropped; formulas defused."""
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value
