"""Complaints: the records, their notes, their audit trail, and the per-day ticket counters.

Revision ID: 0001_complaints
Revises:
Create Date: 2026-11-29

Hand-written and frozen (it imports nothing from bot/), portable to SQLite and
PostgreSQL. Names follow bot.db.NAMING, spelled out with op.f().
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001_complaints"
down_revision = None
branch_labels = None
depends_on = None

COMPLAINT_INDEXES = ("status", "category", "regulatory_class", "operator", "created_at", "deadline")


def utc_datetime(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def create_complaints() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("regulatory_class", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(11), nullable=False),
        sa.Column("operator", sa.String(32), nullable=False),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("handset", sa.String(200), nullable=True),
        utc_datetime("consent_given_at"),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("faq_topics_shown", sa.JSON(), nullable=False),
        sa.Column("assigned_agent", sa.String(64), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        utc_datetime("created_at"),
        utc_datetime("updated_at"),
        utc_datetime("deadline"),
        utc_datetime("first_response_at", nullable=True),
        utc_datetime("resolved_at", nullable=True),
        utc_datetime("closed_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("ticket", name=op.f("uq_complaints_ticket")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_complaints_idempotency_key")),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'resolved', 'closed')", name=op.f("ck_complaints_status")
        ),
    )
    for column in COMPLAINT_INDEXES:
        op.create_index(op.f(f"ix_complaints_{column}"), "complaints", [column])


def create_child(table: str, *columns: sa.Column[Any]) -> None:
    """A table of rows belonging to one complaint, deleted with it."""
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f(f"fk_{table}_complaint_id_complaints"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f(f"ix_{table}_complaint_id"), table, ["complaint_id"])


def upgrade() -> None:
    create_complaints()
    create_child(
        "complaint_notes",
        sa.Column("to_user", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        utc_datetime("created_at"),
    )
    create_child(
        "complaint_events",
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        utc_datetime("at"),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_table(
        "ticket_counters",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_ticket_counters")),
    )


def downgrade() -> None:
    op.drop_table("ticket_counters")
    for table in ("complaint_events", "complaint_notes"):
        op.drop_index(op.f(f"ix_{table}_complaint_id"), table_name=table)
        op.drop_table(table)
    for column in COMPLAINT_INDEXES:
        op.drop_index(op.f(f"ix_complaints_{column}"), table_name="complaints")
    op.drop_table("complaints")
