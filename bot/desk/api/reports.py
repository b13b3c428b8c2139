"""Supervisors' reports: service statistics and the CSV export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bot.desk import services
from bot.desk.api.deps import DeskDep, NowDep, SupervisorDep, UowDep
from bot.desk.api.schemas import StatsOut
from bot.desk.statistics import Period

router = APIRouter(tags=["reports"])
From = Annotated[date | None, Query(alias="from", description="first day (China time), YYYY-MM-DD")]
To = Annotated[date | None, Query(alias="to", description="last day, included; default today")]


@router.get("/stats", response_model=StatsOut, responses={403: {"description": "supervisors only"}})
def stats(
    actor: SupervisorDep, uow: UowDep, desk: DeskDep, now: NowDep, first: From = None, last: To = None
) -> StatsOut:
    """Complaints by category, class, operator, place, day and week; answers in time; median times;
    the FAQ topics users found unhelpful and the messages the bot did not understand (default: last 30 days)."""
    period = Period.checked(first, last, now)
    return StatsOut.of(services.statistics(uow, desk.tracker, actor, period, now))


@router.get(
    "/complaints/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 403: {"description": "supervisors only"}},
)
def export_csv(actor: SupervisorDep, uow: UowDep, now: NowDep, first: From = None, last: To = None) -> Response:
    """The complaints filed in the period, as CSV for Excel (UTF-8 with BOM), phone numbers masked."""
    period = Period.checked(first, last, now)
    filename = f"complaints_{period.first.isoformat()}_{period.last.isoformat()}.csv"
    return Response(
        services.export_csv(uow, actor, period, now).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
