"""SQLAlchemy tables of the desk: its users and named moments (schema: migrations 0003_desk and 0004)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, func
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


class StateRow(Base):
    """A named moment the desk remembers, e.g. when webhook notifications were first on (migration 0004)."""

    __tablename__ = "desk_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
