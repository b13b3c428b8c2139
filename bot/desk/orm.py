"""SQLAlchemy tables of the desk: its users and the notification outbox (schema: migrations 0003_desk)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from bot.complaints.orm import UtcDateTime
from bot.db import Base


class UserRow(Base):
    """A support agent or supervisor who logs in to the desk."""

    __tablename__ = "desk_users"
    __table_args__ = (CheckConstraint("role IN ('agent', 'supervisor')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool]
    # Bumped when the password, role or activity changes: tokens carrying an older value stop working.
    token_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Usernames are unique whatever their case ("Alice" is "alice"): migration 0004_desk_security.
Index("uq_desk_users_username_lower", func.lower(UserRow.username), unique=True)


class OutboxRow(Base):
    """One notification to one webhook URL, kept until delivered or given up (transactional outbox)."""

    __tablename__ = "desk_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
        Index("ix_desk_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # kind:ticket:hash-of-url, so a notification is enqueued once per complaint and URL.
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    ticket: Mapped[str] = mapped_column(String(16), index=True)
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StateRow(Base):
    """A named moment the desk remembers, e.g. when webhook notifications were first on (migration 0004)."""

    __tablename__ = "desk_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
