"""Ticket numbers C<YYYYMMDD>-<NNNN>: short enough to read over the phone, unique, per-day sequence.

The day is the date in China Standard Time (UTC+8, no daylight saving since 1991),
the date the user sees. Past 9999 complaints in a day the sequence widens to 5 digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.complaints.orm import TicketCounterRow

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
_TICKET = re.compile(r"^C(\d{8})-(\d{4,})$")


def ticket_day(now: datetime) -> date:
    return now.astimezone(CHINA_STANDARD_TIME).date()


def format_ticket(day: date, sequence: int) -> str:
    return f"C{day:%Y%m%d}-{sequence:04d}"


def normalise_ticket(text: str) -> str | None:
    """The ticket in canonical form from what a user typed (" c20261129－0042 "), or None if it isn't one."""
    ticket = unicodedata.normalize("NFKC", text).strip().upper()
    return ticket if _TICKET.match(ticket) else None


class SqlTicketAllocator:
    """Hands out the next ticket of the day inside the caller's transaction.

    One atomic upsert on the day's counter row (INSERT .. ON CONFLICT DO UPDATE ..
    RETURNING): PostgreSQL locks that row and SQLite the database until the
    transaction ends, so concurrent complaints never share a number, and a rolled
    back complaint gives its number back.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_ticket(self, now: datetime) -> str:
        day = ticket_day(now)
        sequence = self.session.execute(self._upsert(day)).scalar_one()
        return format_ticket(day, sequence)

    def _upsert(self, day: date) -> Insert:
        dialect = self.session.get_bind().dialect.name
        if dialect not in _UPSERTS:
            raise NotImplementedError(f"ticket counters need PostgreSQL or SQLite, not {dialect}")
        statement = (
            _UPSERTS[dialect](TicketCounterRow)
            .values(day=day, last_sequence=1)
            .on_conflict_do_update(
                index_elements=[TicketCounterRow.day],
                set_={"last_sequence": TicketCounterRow.last_sequence + 1},
            )
        )
        return statement.returning(TicketCounterRow.last_sequence)


_UPSERTS: dict[str, Callable[[type[TicketCounterRow]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
