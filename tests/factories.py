"""The one place tests build complaints: a valid draft, and a complaint filed through the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.complaints import services
from bot.complaints.model import Complaint, ComplaintDraft, TranscriptEntry
from bot.complaints.unit_of_work import AbstractUnitOfWork

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=timezone.utc)
PHONE = "13812345678"
# The complaint form's slots as a user leaves them after answering every step and confirming.
FILLED_COMPLAINT_FORM = {
    "complaint_category": "coverage_signal",
    "complaint_description": "家里客厅一直没有5G信号，只有4G",
    "complaint_phone": PHONE,
    "complaint_operator": "china_mobile",
    "complaint_place": "北京市朝阳区望京",
    "complaint_consent": True,
    "complaint_confirmed": True,
}


def a_draft(at: datetime = NOW, **changes: Any) -> ComplaintDraft:
    """A valid draft: a user in Shenzhen with weak 5G indoors, who gave consent at `at` after a short chat.

    Keywords change fields, e.g. a_draft(category="billing", place=None)."""
    draft = ComplaintDraft(
        channel="socketio",
        sender_id="user-1",
        language="zh",
        category="coverage_signal",
        description="家里5G信号很差，经常掉线",
        contact_phone="138 1234 5678",
        operator="china_mobile",
        place="广东省深圳市南山区",
        handset="Mate 60",
        consent_given_at=at,
        transcript=[
            TranscriptEntry(role="user", text="我要投诉信号差", timestamp=at - timedelta(minutes=3)),
            TranscriptEntry(role="bot", text="好的，请描述一下问题", timestamp=at - timedelta(minutes=2)),
        ],
        faq_topics_shown=["coverage_weak_indoor"],
    )
    return replace(draft, **changes)


def file_complaint(
    uow: AbstractUnitOfWork, draft: ComplaintDraft | None = None, key: str = "key-1", at: datetime = NOW
) -> Complaint:
    """Files the draft (a_draft() by default) through the complaint services at `at`, with 15 days to reply."""
    return services.open_complaint(uow, draft or a_draft(at), at, key, reply_days=15)
