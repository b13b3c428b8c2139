"""Desk security: usernames unique whatever their case; the desk's remembered moments (desk_state).

Revision ID: 0004_desk_security
Revises: 0003_desk
Create Date: 2026-12-07

Hand-written and frozen (it imports nothing from bot/), portable to SQLite and PostgreSQL.
Before the index is made, usernames that differ only in case are looked for: the upgrade stops
and names them, so a person decides which account stays (deactivate one, rename the other).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_desk_security"
down_revision = "0003_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    clashes = (
        op.get_bind()
        .execute(sa.text("SELECT lower(username) FROM desk_users GROUP BY lower(username) HAVING count(*) > 1"))
        .scalars()
        .all()
    )
    if clashes:
        raise RuntimeError(f"desk usernames differing only in case: {', '.join(clashes)}; rename one of each first")
    op.create_index("uq_desk_users_username_lower", "desk_users", [sa.text("lower(username)")], unique=True)
    op.create_table(
        "desk_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_desk_state")),
    )


def downgrade() -> None:
    op.drop_table("desk_state")
    op.drop_index("uq_desk_users_username_lower", table_name="desk_users")
