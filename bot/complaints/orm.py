"""SQLAlchemy tables for complaints (declarative, SQLAlchemy 2.0); the domain stays in model.py.

Portable across SQLite and PostgreSQL: JSON columns, and UtcDateTime, which stores
UTC and always hands back timezone-aware UTC (SQLite keeps no zone of its own).
The schema itself is created by migrations/versions/0001_complaints.py.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Dialect, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base

STATUSES = ("open", "in_progress", "resolved", "closed")


class UtcDateTime(TypeDecorator[datetime]):
    """DateTime(timezone=True) that only accepts aware datetimes and always returns UTC ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as UTC text without a zone
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class ComplaintRow(Base):
    __tablename__ = "complaints"
    __table_args__ = (CheckConstraint("status IN ('open', 'in_progress', 'resolved', 'closed')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(32), index=True)
    regulatory_class: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(Text)
    contact_phone: Mapped[str] = mapped_column(String(11))
    operator: Mapped[str] = mapped_column(String(32), index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    handset: Mapped[str | None] = mapped_column(String(200))
    consent_given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    faq_topics_shown: Mapped[list[str]] = mapped_column(JSON)
    assigned_agent: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Optimistic concurrency: every UPDATE checks and bumps it (SQLAlchemy's version_id_col).
    version: Mapped[int] = mapped_column(Integer)

    notes: Mapped[list[NoteRow]] = relationship(order_by="NoteRow.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class NoteRow(Base):
    __tablename__ = "complaint_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    to_user: Mapped[bool]
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EventRow(Base):
    """Audit trail: who did what to which complaint, when."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class TicketCounterRow(Base):
    """The last ticket sequence number handed out on a day (China Standard Time)."""

    __tablename__ = "ticket_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)
