"""Service monitoring figures over the complaints filed in a period (pure functions, no database).

Days and weeks are China Standard Time, the calendar users and the regulator use;
"answered within the deadline" means the first reply to the user (a note to the
user, or the resolution) came before the reply deadline (MIIT Order No. 35).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.complaints.model import Complaint, Status
from bot.complaints.ticket import CHINA_STANDARD_TIME
from bot.desk.errors import InvalidPeriod

MAX_PERIOD_DAYS = 366
# Reports cover the service's life: far-off years (1, 9999) would overflow the date arithmetic below.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
TOP_PLACES = 15


@dataclass(frozen=True)
class Period:
    """Calendar days in China Standard Time, both ends included."""

    first: date
    last: date

    @classmethod
    def checked(cls, first: date | None, last: date | None, now: datetime, default_days: int = 30) -> Period:
        for day in (first, last):
            if day is not None and not EARLIEST <= day <= LATEST:
                raise InvalidPeriod(f"dates run from {EARLIEST.isoformat()} to {LATEST.isoformat()}")
        last = last or now.astimezone(CHINA_STANDARD_TIME).date()
        first = first or max(EARLIEST, last - timedelta(days=default_days - 1))
        if first > last:
            raise InvalidPeriod("the period's start is after its end")
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            raise InvalidPeriod(f"a period covers at most {MAX_PERIOD_DAYS} days")
        return cls(first, last)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), CHINA_STANDARD_TIME)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.last + timedelta(days=1), time(), CHINA_STANDARD_TIME)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass
class ComplaintFigures:
    total: int = 0
    open: int = 0  # open or in progress
    overdue: int = 0
    answered_within_deadline: int = 0
    answered_late: int = 0
    unanswered: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_regulatory_class: dict[str, int] = field(default_factory=dict)
    by_operator: dict[str, int] = field(default_factory=dict)
    by_place: dict[str, int] = field(default_factory=dict)
    per_day: dict[str, int] = field(default_factory=dict)
    per_week: dict[str, int] = field(default_factory=dict)
    median_first_response_hours: float | None = None
    median_resolution_hours: float | None = None


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def complaint_figures(complaints: Iterable[Complaint], period: Period, now: datetime) -> ComplaintFigures:
    complaints = list(complaints)
    figures = ComplaintFigures(total=len(complaints))
    figures.per_day = {day.isoformat(): 0 for day in period.days()}
    figures.per_week = {iso_week(day): 0 for day in period.days()}
    for complaint in complaints:
        _count(figures, complaint, now)
    figures.by_place = dict(Counter(figures.by_place).most_common(TOP_PLACES))
    figures.median_first_response_hours = _median_hours(
        c.first_response_at - c.created_at for c in complaints if c.first_response_at
    )
    figures.median_resolution_hours = _median_hours(c.resolved_at - c.created_at for c in complaints if c.resolved_at)
    return figures


def _count(figures: ComplaintFigures, complaint: Complaint, now: datetime) -> None:
    day = china_day(complaint.created_at)
    for counts, key in (
        (figures.by_category, complaint.category),
        (figures.by_regulatory_class, complaint.regulatory_class.value),
        (figures.by_operator, complaint.operator),
        (figures.by_place, complaint.place or "—"),
        (figures.per_day, day.isoformat()),
        (figures.per_week, iso_week(day)),
    ):
        counts[key] = counts.get(key, 0) + 1
    figures.open += complaint.status in (Status.OPEN, Status.IN_PROGRESS)
    figures.overdue += complaint.is_overdue(now)
    if complaint.first_response_at is None:
        figures.unanswered += 1
    elif complaint.first_response_at <= complaint.deadline:
        figures.answered_within_deadline += 1
    else:
        figures.answered_late += 1


def _median_hours(durations: Iterable[timedelta]) -> float | None:
    hours = [duration.total_seconds() / 3600 for duration in durations]
    return round(statistics.median(hours), 2) if hours else None
