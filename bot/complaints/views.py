"""The complaints' read side: what the desk lists and reports, and what users may see of their own complaint.

Queries only; changes go through bot.complaints.services. The agent desk and the bot's
actions both read here, so a filter, the SQL form of "overdue" or the check that a
user owns a complaint is written once. Each function runs its own transaction.
"""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select

from bot.complaints.model import (
    BECAME_OVERDUE,
    ERASED,
    ERASURE_REQUESTED,
    Complaint,
    RegulatoryClass,
    Status,
    erasure_pending,
    mask_phone,
)
from bot.complaints.orm import ComplaintRow, EventRow
from bot.complaints.store import SCALAR_FIELDS, overdue_clause, store_errors, to_domain, with_notes
from bot.complaints.ticket import normalise_ticket
from bot.complaints.unit_of_work import AbstractUnitOfWork, SqlAlchemyUnitOfWork

MAX_PAGE = 100
OPEN_STATUSES = (Status.OPEN.value, Status.IN_PROGRESS.value)


class Sort(str, Enum):
    URGENT = "urgent"  # overdue first, then newest first
    NEWEST = "newest"
    OLDEST = "oldest"
    DEADLINE = "deadline"  # nearest reply deadline first


@dataclass(frozen=True)
class ComplaintQuery:
    """Which complaints to list and in what order; every filter optional, each with one meaning."""

    status: Status | None = None
    category: str | None = None
    regulatory_class: RegulatoryClass | None = None
    operator: str | None = None
    place: str | None = None  # part of the place ("深圳" finds "广东省深圳市南山区")
    overdue: bool | None = None  # unanswered past the reply deadline (or not) at the time the query runs
    assigned_agent: str | None = None
    unassigned: bool = False
    text: str | None = None  # part of the description or the place, or a ticket number
    private_text_of: str | None = None  # the description and place are searched only if assigned to this agent
    sort: Sort = Sort.URGENT
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class Page:
    items: list[Complaint]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class StatusView:
    """What a user may see about their complaint after proving the phone's last four digits."""

    ticket: str
    status: Status
    category: str
    deadline: datetime
    overdue: bool
    latest_note_to_user: str | None
    resolution: str | None
    updated_at: datetime


@dataclass(frozen=True)
class KeptData:
    """What is kept about a user's complaint (PIPL), as the user may see it (the number masked)."""

    ticket: str
    category: str
    status: Status
    created_at: datetime
    closed_at: datetime | None
    contact_phone: str  # masked
    transcript_messages: int
    notes: int
    erase_after: datetime | None  # retention: when it will be erased unless earlier on request
    erasure_requested: bool


@dataclass(frozen=True)
class ErasureRequest:
    ticket: str
    requested_at: datetime
    status: Status


def search(uow: SqlAlchemyUnitOfWork, query: ComplaintQuery, now: datetime) -> Page:
    """A page of the complaints the query selects, in its order, with the number of all it selects."""
    where = _where(query, now)
    limit = max(1, min(query.limit, MAX_PAGE))
    offset = max(0, query.offset)
    listing = with_notes(select(ComplaintRow).where(*where)).order_by(*_order(query.sort, now))
    with uow, store_errors():
        total = uow.session.scalar(select(func.count()).select_from(ComplaintRow).where(*where)) or 0
        rows = uow.session.scalars(listing.limit(limit).offset(offset)).all()
        return Page(items=[to_domain(row) for row in rows], total=total, limit=limit, offset=offset)


def created_between(uow: SqlAlchemyUnitOfWork, start: datetime, end: datetime) -> list[Complaint]:
    """Complaints filed in [start, end), oldest first, WITHOUT transcripts and notes (reports need neither)."""
    columns = [getattr(ComplaintRow, name) for name in (*SCALAR_FIELDS, "status", "regulatory_class")]
    statement = (
        select(*columns)
        .where(ComplaintRow.created_at >= start, ComplaintRow.created_at < end)
        .order_by(ComplaintRow.created_at, ComplaintRow.id)
    )
    with uow, store_errors():
        rows = uow.session.execute(statement).mappings().all()
    return [_summary(row) for row in rows]


def backlog(uow: SqlAlchemyUnitOfWork, now: datetime) -> tuple[int, int]:
    """How many complaints are open (or in progress), and how many are overdue, now."""
    statement = select(
        func.count().filter(ComplaintRow.status.in_(OPEN_STATUSES)),
        func.count().filter(overdue_clause(now)),
    )
    with uow, store_errors():
        open_, overdue = uow.session.execute(statement).one()
    return int(open_), int(overdue)


def newly_overdue(uow: SqlAlchemyUnitOfWork, now: datetime) -> list[str]:
    """Tickets of overdue complaints whose `became_overdue` event is not recorded yet, nearest deadline first."""
    recorded = exists().where(EventRow.complaint_id == ComplaintRow.id, EventRow.action == BECAME_OVERDUE)
    statement = select(ComplaintRow.ticket).where(overdue_clause(now), not_(recorded)).order_by(ComplaintRow.deadline)
    with uow, store_errors():
        return list(uow.session.scalars(statement).all())


def closed_before_not_erased(uow: SqlAlchemyUnitOfWork, cutoff: datetime) -> list[str]:
    """Tickets of complaints closed before `cutoff` whose personal data was not erased yet (retention)."""
    erased = exists().where(EventRow.complaint_id == ComplaintRow.id, EventRow.action == ERASED)
    statement = (
        select(ComplaintRow.ticket)
        .where(ComplaintRow.status == Status.CLOSED.value, ComplaintRow.closed_at < cutoff, not_(erased))
        .order_by(ComplaintRow.closed_at)
    )
    with uow, store_errors():
        return list(uow.session.scalars(statement).all())


def erasure_requests(uow: SqlAlchemyUnitOfWork) -> list[ErasureRequest]:
    """Users' erasure requests not yet carried out, oldest first."""
    latest = (
        select(EventRow.complaint_id, func.max(EventRow.at).label("at"))
        .where(EventRow.action == ERASURE_REQUESTED)
        .group_by(EventRow.complaint_id)
        .subquery()
    )
    statement = select(ComplaintRow.ticket, ComplaintRow.status, latest.c.at).join(
        latest, latest.c.complaint_id == ComplaintRow.id
    )
    with uow, store_errors():
        rows = uow.session.execute(statement).all()
        requests = [
            ErasureRequest(ticket, at, Status(status))
            for ticket, status, at in rows
            if erasure_pending(uow.complaints.audit_trail(ticket))
        ]
    return sorted(requests, key=lambda request: request.requested_at)


def owned_complaint(uow: AbstractUnitOfWork, ticket: str, phone_last4: str) -> Complaint | None:
    """The complaint if the last four digits match its number; None alike for an unknown ticket and wrong
    digits, revealing nothing."""
    canonical = normalise_ticket(ticket)
    digits = unicodedata.normalize("NFKC", phone_last4 or "").strip()
    if canonical is None or len(digits) != 4 or not digits.isdigit():
        return None
    with uow:
        complaint = uow.complaints.get(canonical)
    if complaint is None or not complaint.contact_phone:
        return None
    return complaint if hmac.compare_digest(complaint.contact_phone[-4:], digits) else None


def status_of(uow: AbstractUnitOfWork, ticket: str, phone_last4: str, now: datetime) -> StatusView | None:
    """The status for the ticket's owner (None when the ticket and digits do not match)."""
    complaint = owned_complaint(uow, ticket, phone_last4)
    if complaint is None:
        return None
    note = complaint.latest_note_to_user()
    return StatusView(
        ticket=complaint.ticket,
        status=complaint.status,
        category=complaint.category,
        deadline=complaint.deadline,
        overdue=complaint.is_overdue(now),
        latest_note_to_user=note.text if note else None,
        resolution=complaint.resolution,
        updated_at=complaint.updated_at,
    )


def kept_data(uow: AbstractUnitOfWork, ticket: str, phone_last4: str, retention_days: int) -> KeptData | None:
    """What is kept about the complaint, for its owner (None when the ticket and digits do not match)."""
    complaint = owned_complaint(uow, ticket, phone_last4)
    if complaint is None:
        return None
    with uow:
        audit = uow.complaints.audit_trail(complaint.ticket)
    return KeptData(
        ticket=complaint.ticket,
        category=complaint.category,
        status=complaint.status,
        created_at=complaint.created_at,
        closed_at=complaint.closed_at,
        contact_phone=mask_phone(complaint.contact_phone),
        transcript_messages=len(complaint.transcript),
        notes=len(complaint.notes),
        erase_after=complaint.closed_at + timedelta(days=retention_days) if complaint.closed_at else None,
        erasure_requested=erasure_pending(audit),
    )


def _where(query: ComplaintQuery, now: datetime) -> list[ColumnElement[bool]]:
    equal_to = {
        ComplaintRow.status: query.status.value if query.status else None,
        ComplaintRow.category: query.category,
        ComplaintRow.regulatory_class: query.regulatory_class.value if query.regulatory_class else None,
        ComplaintRow.operator: query.operator,
        ComplaintRow.assigned_agent: query.assigned_agent or None,
    }
    where = [column == value for column, value in equal_to.items() if value is not None]
    if query.place:
        where.append(ComplaintRow.place.icontains(query.place, autoescape=True))
    if query.overdue is not None:
        where.append(overdue_clause(now) if query.overdue else not_(overdue_clause(now)))
    if query.unassigned:
        where.append(ComplaintRow.assigned_agent.is_(None))
    if query.text and query.text.strip():
        where.append(_text_matches(query.text.strip(), query.private_text_of))
    return where


def _text_matches(text: str, private_text_of: str | None) -> ColumnElement[bool]:
    matches = [
        ComplaintRow.description.icontains(text, autoescape=True),
        ComplaintRow.place.icontains(text, autoescape=True),
    ]
    if private_text_of is not None:
        matches = [and_(ComplaintRow.assigned_agent == private_text_of, or_(*matches))]
    ticket = normalise_ticket(text)
    if ticket:
        matches.append(ComplaintRow.ticket == ticket)
    return or_(*matches)


def _order(sort: Sort, now: datetime) -> list[Any]:
    newest = [ComplaintRow.created_at.desc(), ComplaintRow.id.desc()]
    if sort is Sort.NEWEST:
        return newest
    if sort is Sort.OLDEST:
        return [ComplaintRow.created_at, ComplaintRow.id]
    if sort is Sort.DEADLINE:
        return [ComplaintRow.deadline, ComplaintRow.id]
    return [case((overdue_clause(now), 0), else_=1), *newest]


def _summary(row: Any) -> Complaint:
    scalars = {name: row[name] for name in SCALAR_FIELDS}
    return Complaint(**scalars, status=Status(row["status"]), regulatory_class=RegulatoryClass(row["regulatory_class"]))
