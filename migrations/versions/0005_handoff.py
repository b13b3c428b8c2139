"""Live hand-off: agents' presence, live chats, their messages and audit; the desk's copy of Rasa's events.

Revision ID: 0005_handoff
Revises: 0004_desk_security
Create Date: 2026-12-07

Hand-written and frozen (it imports nothing from bot/), portable to SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_handoff"
down_revision = "0004_desk_security"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handoff_agents",
        sa.Column("agent", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("max_chats", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("seen_at", UTC, nullable=True),
        sa.CheckConstraint("status IN ('available', 'away')", name=op.f("ck_handoff_agents_status")),
        sa.PrimaryKeyConstraint("agent", name=op.f("pk_handoff_agents")),
    )
    op.create_table(
        "handoff_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", UTC, nullable=False),
        sa.Column("accepted_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("ended_by", sa.String(16), nullable=True),
        sa.Column("agent", sa.String(64), nullable=True),
        sa.Column("agent_label", sa.String(64), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("complaint_ticket", sa.String(16), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", UTC, nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'active', 'ended', 'timed_out', 'closed_hours', 'no_agent')",
            name=op.f("ck_handoff_chats_status"),
        ),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name=op.f("ck_handoff_chats_rating")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_chats")),
    )
    op.create_index("ix_handoff_chats_conversation_id", "handoff_chats", ["conversation_id"])
    op.create_index("ix_handoff_chats_agent", "handoff_chats", ["agent"])
    op.create_index("ix_handoff_chats_status_requested_at", "handoff_chats", ["status", "requested_at"])
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("author", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("agent", sa.String(64), nullable=True),
        sa.Column("event_key", sa.String(128), nullable=True),
        sa.Column("delivered", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["handoff_chats.id"], name=op.f("fk_handoff_messages_chat_id_handoff_chats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
        sa.UniqueConstraint("event_key", name=op.f("uq_handoff_messages_event_key")),
    )
    op.create_index("ix_handoff_messages_chat_id", "handoff_messages", ["chat_id"])
    op.create_table(
        "handoff_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["handoff_chats.id"], name=op.f("fk_handoff_audit_chat_id_handoff_chats")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_audit")),
    )
    op.create_index("ix_handoff_audit_chat_id", "handoff_audit", ["chat_id"])
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(128), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("type_name", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("intent_name", sa.String(255), nullable=True),
        sa.Column("action_name", sa.String(255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_conversation_events_event_key")),
    )
    op.create_index("ix_conversation_events_sender_id", "conversation_events", ["sender_id"])
    op.create_index("ix_conversation_events_timestamp", "conversation_events", ["timestamp"])
    op.create_table(
        "broker_cursors",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_broker_cursors")),
    )


def downgrade() -> None:
    op.drop_table("broker_cursors")
    op.drop_table("conversation_events")
    op.drop_table("handoff_audit")
    op.drop_table("handoff_messages")
    op.drop_table("handoff_chats")
    op.drop_table("handoff_agents")
