"""Validated rows of the catalogue files, one pydantic model per kind.

CSV cells arrive as strings and YAML values as scalars or lists; both go through
the same models. A blank cell means "not given": optional fields become None (for
handsets: unknown), required ones are reported missing. Lists are written
`a|b|c` in CSV, or as YAML lists.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from bot.catalog.errors import UnknownOperator
from bot.catalog.operators import resolve_operator

OperatorKey = Literal["china_mobile", "china_telecom", "china_unicom", "china_broadnet"]
BAND = re.compile(r"^n[1-9][0-9]{0,2}$")
MONEY = Decimal("0.01")


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    if isinstance(value, list):
        return [str(part).strip() for part in value if str(part).strip()]
    return value


def _operator(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return resolve_operator(value).key
        except UnknownOperator:
            return value
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _bands(value: Any) -> Any:
    """`n1|n28|n78`; `none` for a phone known to have no 5G; blank for unknown."""
    if isinstance(value, str) and value.strip().lower() == "none":
        return []
    bands = _split(value)
    if not isinstance(bands, list):
        return bands
    cleaned = sorted({band.lower() for band in bands}, key=lambda band: (len(band), band))
    bad = [band for band in cleaned if not BAND.match(band)]
    if bad:
        raise ValueError(f"bands must look like n1, n28, n78 (got {', '.join(bad)})")
    return cleaned


Names = Annotated[list[str], BeforeValidator(_split)]
Operator = Annotated[OperatorKey, BeforeValidator(_operator)]
Text = Annotated[str, Field(min_length=1, max_length=128)]


class CatalogRow(BaseModel):
    """Fields every catalogue row has; subclasses name their natural key."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
    natural_key: ClassVar[tuple[str, ...]] = ()

    notes: str = ""
    source: Annotated[str, Field(min_length=1, max_length=255)]
    sample: bool = False

    @model_validator(mode="before")
    @classmethod
    def _blank_is_not_given(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and not (isinstance(v, str) and not v.strip())}
        return data

    def key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.natural_key)

    def columns(self) -> dict[str, Any]:
        """The values as the table stores them."""
        return self.model_dump()


class CoverageRow(CatalogRow):
    natural_key: ClassVar[tuple[str, ...]] = ("province", "city", "district", "operator")

    province: Annotated[str, Field(min_length=1, max_length=64)]
    province_aliases: Names = []
    city: Annotated[str, Field(min_length=1, max_length=64)]
    city_aliases: Names = []
    district: Annotated[str | None, Field(max_length=64)] = None
    district_aliases: Names = []
    operator: Operator
    status: Annotated[Literal["sa", "nsa", "planned", "none"], BeforeValidator(_lower)]
    planned_date: dt.date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CoverageRow:
        if self.status == "planned" and self.planned_date is None:
            raise ValueError("status 'planned' needs a planned_date (YYYY-MM-DD)")
        if self.status != "planned" and self.planned_date is not None:
            raise ValueError(f"planned_date is only for status 'planned', not {self.status!r}")
        if self.district is None and self.district_aliases:
            raise ValueError("district_aliases given for a city-level row (no district)")
        return self


class HandsetRow(CatalogRow):
    natural_key: ClassVar[tuple[str, ...]] = ("brand", "model")

    brand: Annotated[str, Field(min_length=1, max_length=64)]
    model: Text
    name_zh: Annotated[str, Field(max_length=128)] = ""
    model_codes: Names = []
    aliases: Names = []
    # None = unknown (blank cell); [] = known to have no 5G ("none").
    nr_bands: Annotated[list[str] | None, BeforeValidator(_bands)] = None
    sa: bool | None = None
    vonr: bool | None = None
    dual_sim_5g: bool | None = None


Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
TERMINATION_PARAMS = {
    "none": (),
    "refund_benefit_pro_rata": ("benefit_yuan",),
    "fixed_fee": ("fee_yuan",),
    "remaining_fees_percent": ("percent",),
}


class PlanRow(CatalogRow):
    natural_key: ClassVar[tuple[str, ...]] = ("operator", "name")

    operator: Operator
    name: Text
    name_en: Annotated[str, Field(max_length=128)] = ""
    aliases: Names = []
    monthly_fee_yuan: Money
    data_gb: Money
    voice_minutes: Annotated[int, Field(ge=0)]
    generation: Annotated[Literal["5g", "4g"], BeforeValidator(_lower)]
    contract_months: Annotated[int, Field(ge=0, le=60)] = 0
    early_termination_rule: Annotated[
        Literal["none", "refund_benefit_pro_rata", "fixed_fee", "remaining_fees_percent"], BeforeValidator(_lower)
    ]
    benefit_yuan: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)] | None = None
    fee_yuan: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)] | None = None
    percent: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)] | None = None
    throttle_after_gb: Money | None = None
    throttle_speed_mbps: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=3)] | None = None

    @model_validator(mode="after")
    def _consistent_terms(self) -> PlanRow:
        rule = self.early_termination_rule
        if self.contract_months == 0 and rule != "none":
            raise ValueError(f"a plan without a contract (contract_months 0) cannot have the rule {rule!r}")
        needed = TERMINATION_PARAMS[rule]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"rule {rule!r} needs {', '.join(missing)}")
        extra = [name for name in ("benefit_yuan", "fee_yuan", "percent") if name not in needed and getattr(self, name)]
        if extra:
            raise ValueError(f"rule {rule!r} takes no {', '.join(extra)}")
        if (self.throttle_after_gb is None) != (self.throttle_speed_mbps is None):
            raise ValueError("give both throttle_after_gb and throttle_speed_mbps, or neither")
        return self

    def columns(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"benefit_yuan", "fee_yuan", "percent"})
        values["early_termination_params"] = {
            name: f"{getattr(self, name).quantize(MONEY):f}" for name in TERMINATION_PARAMS[self.early_termination_rule]
        }
        return values


ROW_MODELS: dict[str, type[CatalogRow]] = {"coverage": CoverageRow, "handsets": HandsetRow, "plans": PlanRow}


def describe(error: ValidationError) -> list[str]:
    """One readable line per problem: "status: Input should be 'sa', 'nsa', 'planned' or 'none' (got 'full')"."""
    messages = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        where = ".".join(str(part) for part in item["loc"])
        got = item.get("input")
        if where and item["type"] != "missing" and not isinstance(got, dict):
            message += f" (got {got!r})"
        if item["type"] == "extra_forbidden":
            message = "unknown column"
        messages.append(f"{where}: {message}" if where else message)
    return messages
