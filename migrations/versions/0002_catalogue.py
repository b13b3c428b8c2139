"""Look-up catalogues: coverage areas, handsets, plans.

Revision ID: 0002_catalogue
Revises: 0001_complaints
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_catalogue"
down_revision = "0001_complaints"
branch_labels = None
depends_on = None

OPERATOR_CHECK = "operator IN ('china_mobile', 'china_telecom', 'china_unicom', 'china_broadnet')"


def _provenance() -> list[sa.Column]:
    return [
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def upgrade() -> None:
    op.create_table(
        "coverage_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(64), nullable=False),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("district", sa.String(64), nullable=True),
        sa.Column("province_aliases", sa.JSON(), nullable=False),
        sa.Column("city_aliases", sa.JSON(), nullable=False),
        sa.Column("district_aliases", sa.JSON(), nullable=False),
        sa.Column("operator", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        *_provenance(),
        sa.PrimaryKeyConstraint("id", name="pk_coverage_areas"),
        sa.UniqueConstraint("province", "city", "district", "operator", name="uq_coverage_areas_place_operator"),
        sa.CheckConstraint(OPERATOR_CHECK, name="ck_coverage_areas_operator"),
        sa.CheckConstraint("status IN ('sa', 'nsa', 'planned', 'none')", name="ck_coverage_areas_status"),
    )
    # NULL districts are distinct in the unique constraint above; city-level rows need this index.
    op.create_index(
        "uq_coverage_areas_city_operator",
        "coverage_areas",
        ["province", "city", "operator"],
        unique=True,
        sqlite_where=sa.text("district IS NULL"),
        postgresql_where=sa.text("district IS NULL"),
    )

    op.create_table(
        "handsets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("name_zh", sa.String(128), nullable=False, server_default=""),
        sa.Column("model_codes", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("nr_bands", sa.JSON(), nullable=True),
        sa.Column("sa", sa.Boolean(), nullable=True),
        sa.Column("vonr", sa.Boolean(), nullable=True),
        sa.Column("dual_sim_5g", sa.Boolean(), nullable=True),
        *_provenance(),
        sa.PrimaryKeyConstraint("id", name="pk_handsets"),
        sa.UniqueConstraint("brand", "model", name="uq_handsets_brand_model"),
    )

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_en", sa.String(128), nullable=False, server_default=""),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("monthly_fee_yuan", sa.Numeric(10, 2), nullable=False),
        sa.Column("data_gb", sa.Numeric(10, 2), nullable=False),
        sa.Column("voice_minutes", sa.Integer(), nullable=False),
        sa.Column("generation", sa.String(2), nullable=False),
        sa.Column("contract_months", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("early_termination_rule", sa.String(32), nullable=False, server_default="none"),
        sa.Column("early_termination_params", sa.JSON(), nullable=False),
        sa.Column("throttle_after_gb", sa.Numeric(10, 2), nullable=True),
        sa.Column("throttle_speed_mbps", sa.Numeric(10, 3), nullable=True),
        *_provenance(),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.UniqueConstraint("operator", "name", name="uq_plans_operator_name"),
        sa.CheckConstraint(OPERATOR_CHECK, name="ck_plans_operator"),
        sa.CheckConstraint("generation IN ('5g', '4g')", name="ck_plans_generation"),
        sa.CheckConstraint(
            "early_termination_rule IN ('none', 'refund_benefit_pro_rata', 'fixed_fee', 'remaining_fees_percent')",
            name="ck_plans_early_termination_rule",
        ),
        sa.CheckConstraint("contract_months >= 0", name="ck_plans_contract_months"),
    )


def downgrade() -> None:
    op.drop_table("plans")
    op.drop_table("handsets")
    op.drop_index("uq_coverage_areas_city_operator", table_name="coverage_areas")
    op.drop_table("coverage_areas")
