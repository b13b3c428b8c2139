"""Catalogue tables. The schema itself is created by migrations/versions/0002_catalogue.py.

Every row carries `source` (where its facts come from) and `sample` (true for
illustrative rows that are not operator or maker data), so answers built on a
sample row can say so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base

OPERATOR_CHECK = "operator IN ('china_mobile', 'china_telecom', 'china_unicom', 'china_broadnet')"
COVERAGE_STATUSES = ("sa", "nsa", "planned", "none")
TERMINATION_RULES = ("none", "refund_benefit_pro_rata", "fixed_fee", "remaining_fees_percent")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CoverageArea(Base):
    """One operator's 5G status in one district (or a whole city when `district` is NULL)."""

    __tablename__ = "coverage_areas"
    __table_args__ = (
        UniqueConstraint("province", "city", "district", "operator", name="uq_coverage_areas_place_operator"),
        # NULLs are distinct in a unique constraint, so city-level rows need their own unique index.
        Index(
            "uq_coverage_areas_city_operator",
            "province",
            "city",
            "operator",
            unique=True,
            sqlite_where=text("district IS NULL"),
            postgresql_where=text("district IS NULL"),
        ),
        CheckConstraint(OPERATOR_CHECK, name="operator"),
        CheckConstraint(_in("status", COVERAGE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    # Pinyin/English names and other aliases of each level ("Chaoyang"), matched case-insensitively.
    province_aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    city_aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    district_aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    operator: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255))
    sample: Mapped[bool] = mapped_column(default=False)


class Handset(Base):
    """A handset model as sold in mainland China. NULL means unknown, never "no"."""

    __tablename__ = "handsets"
    __table_args__ = (UniqueConstraint("brand", "model", name="uq_handsets_brand_model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    name_zh: Mapped[str] = mapped_column(String(128), default="")
    model_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # ["n1", "n28", ...]; NULL when the maker's list is not known to us.
    nr_bands: Mapped[list[str] | None] = mapped_column(JSON)
    sa: Mapped[bool | None] = mapped_column()
    vonr: Mapped[bool | None] = mapped_column()
    dual_sim_5g: Mapped[bool | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255))
    sample: Mapped[bool] = mapped_column(default=False)


class Plan(Base):
    """A tariff plan with its contract and early-termination terms."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("operator", "name", name="uq_plans_operator_name"),
        CheckConstraint(OPERATOR_CHECK, name="operator"),
        CheckConstraint("generation IN ('5g', '4g')", name="generation"),
        CheckConstraint(_in("early_termination_rule", TERMINATION_RULES), name="early_termination_rule"),
        CheckConstraint("contract_months >= 0", name="contract_months"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operator: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    monthly_fee_yuan: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    data_gb: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    voice_minutes: Mapped[int] = mapped_column()
    generation: Mapped[str] = mapped_column(String(2))
    contract_months: Mapped[int] = mapped_column(default=0)
    early_termination_rule: Mapped[str] = mapped_column(String(32), default="none")
    # benefit_yuan / fee_yuan / percent, as the rule needs; numbers kept as strings for exact decimals.
    early_termination_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    throttle_after_gb: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    throttle_speed_mbps: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255))
    sample: Mapped[bool] = mapped_column(default=False)
