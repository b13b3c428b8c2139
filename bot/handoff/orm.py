"""SQLAlchemy tables of the live hand-off (schema: migrations/versions/0005_handoff.py).

handoff_agents    one row per agent: available or away, maximum concurrent chats
handoff_chats     one row per request for a person, with its outcome and rating
handoff_messages  the live transcript (user, agent, bot, system turns) of a chat
handoff_audit     every agent action on a chat (accept, message, canned answer, complaint, end)
conversation_events  the desk's copy of Rasa's events, fed by the event broker (bot/handoff/events.py)
broker_cursors    how far the consumer of a polled broker (Rasa's SQL event broker) has read
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.complaints.orm import UtcDateTime
from bot.db import Base


class AgentPresenceRow(Base):
    __tablename__ = "handoff_agents"
    __table_args__ = (CheckConstraint("status IN ('available', 'away')", name="status"),)

    agent: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    max_chats: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LiveChatRow(Base):
    __tablename__ = "handoff_chats"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'active', 'ended', 'timed_out', 'closed_hours', 'no_agent')", name="status"
        ),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        Index("ix_handoff_chats_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(16))
    agent: Mapped[str | None] = mapped_column(String(64), index=True)
    agent_label: Mapped[str | None] = mapped_column(String(64))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    complaint_ticket: Mapped[str | None] = mapped_column(String(16))
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LiveMessageRow(Base):
    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("handoff_chats.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    author: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    agent: Mapped[str | None] = mapped_column(String(64))
    # The broker event a user message came from, so a redelivered event adds nothing.
    event_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    delivered: Mapped[bool | None]


class HandoffAuditRow(Base):
    __tablename__ = "handoff_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("handoff_chats.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ConversationEventRow(Base):
    __tablename__ = "conversation_events"
    __table_args__ = (Index("ix_conversation_events_timestamp", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # sender, type, timestamp and a digest of the event: the same event delivered twice is stored once.
    event_key: Mapped[str] = mapped_column(String(128), unique=True)
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    type_name: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[float] = mapped_column(Float)
    intent_name: Mapped[str | None] = mapped_column(String(255))
    action_name: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class BrokerCursorRow(Base):
    __tablename__ = "broker_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
