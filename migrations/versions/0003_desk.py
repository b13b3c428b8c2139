"""Agent desk: its users (agents, supervisors) and the notification outbox.

Revision ID: 0003_desk
Revises: 0002_catalogue
Create Date: 2026-11-29

Hand-written and frozen (it imports nothing from bot/), portable to SQLite and
PostgreSQL. Names follow bot.db.NAMING, spelled out with op.f().
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_desk"
down_revision = "0002_catalogue"
branch_labels = None
depends_on = None


def utc_datetime(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "desk_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        utc_datetime("created_at"),
        utc_datetime("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_desk_users_username")),
        sa.CheckConstraint("role IN ('agent', 'supervisor')", name=op.f("ck_desk_users_role")),
    )
    op.create_table(
        "desk_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ticket", sa.String(16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        utc_datetime("next_attempt_at"),
        sa.Column("last_error", sa.String(500), nullable=True),
        utc_datetime("created_at"),
        utc_datetime("delivered_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_desk_outbox_dedupe_key")),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name=op.f("ck_desk_outbox_status")),
    )
    op.create_index(op.f("ix_desk_outbox_ticket"), "desk_outbox", ["ticket"])
    op.create_index("ix_desk_outbox_status_next_attempt_at", "desk_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_desk_outbox_status_next_attempt_at", table_name="desk_outbox")
    op.drop_index(op.f("ix_desk_outbox_ticket"), table_name="desk_outbox")
    op.drop_table("desk_outbox")
    op.drop_table("desk_users")
