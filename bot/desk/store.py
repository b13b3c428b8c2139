"""The desk's repositories: users, and the complaint queue and reports on top of the complaint store.

DeskComplaintRepository extends the complaint repository the services use, so the
desk's units of work serve both bot.complaints.services and the desk's own queries;
its filters and the SQL form of "overdue" are the complaint store's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from bot.complaints.model import Complaint, RegulatoryClass, Status
from bot.complaints.orm import ComplaintRow, EventRow, NoteRow
from bot.complaints.store import (
    _SCALAR_FIELDS,
    MAX_PAGE,
    ComplaintQuery,
    Page,
    SqlAlchemyComplaintRepository,
    _filters,
    _loading,
    _overdue,
    _to_domain,
    store_errors,
)
from bot.complaints.ticket import normalise_ticket
from bot.desk.accounts import AbstractUserRepository, User
from bot.desk.errors import UnknownUser, UserExists
from bot.desk.orm import OutboxRow, StateRow, UserRow
from bot.desk.permissions import Role

OPEN_STATUSES = (Status.OPEN.value, Status.IN_PROGRESS.value)
# Audit details that hold free text someone typed (erased with the complaint's personal data).
FREE_TEXT_DETAILS = ("reason", "previous_resolution")


class Sort(str, Enum):
    URGENT = "urgent"  # overdue first, then newest first
    NEWEST = "newest"
    OLDEST = "oldest"
    DEADLINE = "deadline"  # nearest reply deadline first


@dataclass(frozen=True)
class QueueQuery:
    """The desk's list filters; every one optional."""

    status: Status | None = None
    category: str | None = None
    regulatory_class: RegulatoryClass | None = None
    operator: str | None = None
    place: str | None = None  # part of the place ("深圳")
    overdue: bool | None = None
    assigned_agent: str | None = None
    unassigned: bool = False
    text: str | None = None  # part of the description or the place, or a ticket number
    private_text_of: str | None = None  # the description and place are searched only if assigned to this agent
    sort: Sort = Sort.URGENT
    limit: int = 20
    offset: int = 0


class DeskComplaintRepository(SqlAlchemyComplaintRepository):
    def queue(self, query: QueueQuery, now: datetime) -> Page:
        where = self._where(query, now)
        limit = max(1, min(query.limit, MAX_PAGE))
        offset = max(0, query.offset)
        listing = _loading(select(ComplaintRow).where(*where)).order_by(*_order(query.sort, now))
        with store_errors():
            total = self.session.scalar(select(func.count()).select_from(ComplaintRow).where(*where)) or 0
            rows = self.session.scalars(listing.limit(limit).offset(offset)).all()
        return Page(items=[_to_domain(row) for row in rows], total=total, limit=limit, offset=offset)

    def created_between(self, start: datetime, end: datetime) -> list[Complaint]:
        """Complaints filed in [start, end), oldest first, WITHOUT transcripts and notes (reports need neither)."""
        columns = [getattr(ComplaintRow, name) for name in (*_SCALAR_FIELDS, "status", "regulatory_class")]
        statement = (
            select(*columns)
            .where(ComplaintRow.created_at >= start, ComplaintRow.created_at < end)
            .order_by(ComplaintRow.created_at, ComplaintRow.id)
        )
        with store_errors():
            rows = self.session.execute(statement).mappings().all()
        return [_summary(row) for row in rows]

    def backlog(self, now: datetime) -> tuple[int, int]:
        """How many complaints are open (or in progress), and how many are overdue, now."""
        statement = select(
            func.count().filter(ComplaintRow.status.in_(OPEN_STATUSES)),
            func.count().filter(_overdue(now)),
        )
        with store_errors():
            open_, overdue = self.session.execute(statement).one()
        return int(open_), int(overdue)

    def newly_overdue(self, now: datetime, action: str) -> list[str]:
        """Tickets of overdue complaints that have no `action` event yet (the overdue sweep records one)."""
        recorded = exists().where(EventRow.complaint_id == ComplaintRow.id, EventRow.action == action)
        statement = select(ComplaintRow.ticket).where(_overdue(now), not_(recorded)).order_by(ComplaintRow.deadline)
        with store_errors():
            return list(self.session.scalars(statement).all())

    def without_notification(self, kind: str, since: datetime) -> list[Complaint]:
        """Complaints filed since `since`, still open and unclaimed, for which no `kind` notification was
        ever enqueued (one already taken or closed needs no announcement)."""
        notified = exists().where(OutboxRow.ticket == ComplaintRow.ticket, OutboxRow.kind == kind)
        statement = select(ComplaintRow.ticket).where(
            ComplaintRow.created_at >= since,
            ComplaintRow.status == Status.OPEN.value,
            ComplaintRow.assigned_agent.is_(None),
            not_(notified),
        )
        with store_errors():
            tickets = self.session.scalars(statement).all()
        return [complaint for ticket in tickets if (complaint := self.get(ticket)) is not None]

    def closed_before_not_erased(self, cutoff: datetime, erased_action: str) -> list[str]:
        """Tickets of complaints closed before `cutoff` with no `erased_action` event (retention)."""
        erased = exists().where(EventRow.complaint_id == ComplaintRow.id, EventRow.action == erased_action)
        statement = (
            select(ComplaintRow.ticket)
            .where(ComplaintRow.status == Status.CLOSED.value, ComplaintRow.closed_at < cutoff, not_(erased))
            .order_by(ComplaintRow.closed_at)
        )
        with store_errors():
            return list(self.session.scalars(statement).all())

    def with_last_event(self, action: str) -> list[tuple[Complaint, datetime]]:
        """Complaints having an `action` event, with the time of the latest one."""
        latest = (
            select(EventRow.complaint_id, func.max(EventRow.at).label("at"))
            .where(EventRow.action == action)
            .group_by(EventRow.complaint_id)
            .subquery()
        )
        statement = select(ComplaintRow.ticket, latest.c.at).join(latest, latest.c.complaint_id == ComplaintRow.id)
        with store_errors():
            rows = self.session.execute(statement).all()
        return [(complaint, at) for ticket, at in rows if (complaint := self.get(ticket)) is not None]

    def erase_free_text(self, ticket: str, replacement: str) -> None:
        """The transcript emptied, notes' texts replaced, and free texts taken out of the audit details (reopen
        reasons, old resolutions): the parts a complaint's save() leaves alone."""
        complaint_id = select(ComplaintRow.id).where(ComplaintRow.ticket == ticket).scalar_subquery()
        with store_errors():
            self.session.execute(update(ComplaintRow).where(ComplaintRow.ticket == ticket).values(transcript=[]))
            self.session.execute(update(NoteRow).where(NoteRow.complaint_id == complaint_id).values(text=replacement))
            events = self.session.scalars(select(EventRow).where(EventRow.complaint_id == complaint_id)).all()
            for event in events:
                if any(key in FREE_TEXT_DETAILS for key in event.details or {}):
                    event.details = {k: v for k, v in event.details.items() if k not in FREE_TEXT_DETAILS}
            self.session.flush()

    def _where(self, query: QueueQuery, now: datetime) -> list[ColumnElement[bool]]:
        exact = ComplaintQuery(
            status=query.status,
            category=query.category,
            regulatory_class=query.regulatory_class,
            operator=query.operator,
        )
        where = _filters(exact)
        if query.place:
            where.append(ComplaintRow.place.icontains(query.place, autoescape=True))
        if query.overdue is not None:
            where.append(_overdue(now) if query.overdue else not_(_overdue(now)))
        if query.assigned_agent:
            where.append(ComplaintRow.assigned_agent == query.assigned_agent)
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
    return [case((_overdue(now), 0), else_=1), *newest]


def _summary(row: Any) -> Complaint:
    scalars = {name: row[name] for name in _SCALAR_FIELDS}
    return Complaint(**scalars, status=Status(row["status"]), regulatory_class=RegulatoryClass(row["regulatory_class"]))


class StateRepository:
    """Named moments the desk remembers (desk_state)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def first(self, name: str, now: datetime) -> datetime:
        """When `name` was first recorded; recorded as `now` if it never was."""
        with store_errors():
            row = self.session.get(StateRow, name)
            if row is None:
                row = StateRow(name=name, at=now)
                self.session.add(row)
                self.session.flush()
            return row.at


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, rows: list[OutboxRow]) -> None:
        with store_errors():
            self.session.add_all(rows)
            self.session.flush()


class SqlAlchemyUserRepository(AbstractUserRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, username: str) -> User | None:
        """The user of that name in any case ("Alice" finds alice); none for a name no user can have."""
        if not username.isprintable():
            return None
        with store_errors():
            row = self.session.scalars(_named(username)).one_or_none()
        return _user(row) if row else None

    def add(self, user: User) -> None:
        with store_errors():
            self.session.add(UserRow(**_user_columns(user)))
            try:
                self.session.flush()
            except sa_exc.IntegrityError as error:
                raise UserExists(user.username) from error

    def save(self, user: User) -> None:
        with store_errors():
            row = self.session.scalars(_named(user.username)).one_or_none()
            if row is None:
                raise UnknownUser(user.username)
            for name, value in _user_columns(user).items():
                setattr(row, name, value)
            self.session.flush()

    def lock_active_supervisors(self) -> list[str]:
        """SELECT ... FOR UPDATE on PostgreSQL, in one order (no deadlock). SQLite has no row locks: a write
        that changes nothing takes its database write lock first, so a second such transaction waits or fails."""
        supervisors = (UserRow.role == Role.SUPERVISOR.value, UserRow.active.is_(True))
        statement = select(UserRow.username).where(*supervisors).order_by(UserRow.username).with_for_update()
        with store_errors():
            if self.session.get_bind().dialect.name == "sqlite":
                self.session.execute(update(UserRow).where(*supervisors).values(role=UserRow.role))
            return list(self.session.scalars(statement).all())

    def list(self) -> list[User]:
        with store_errors():
            rows = self.session.scalars(select(UserRow).order_by(UserRow.username)).all()
        return [_user(row) for row in rows]


def _named(username: str) -> Any:
    return select(UserRow).where(func.lower(UserRow.username) == username.lower())


def _user_columns(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "active": user.active,
        "token_version": user.token_version,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def _user(row: UserRow) -> User:
    return User(
        username=row.username,
        role=Role(row.role),
        active=row.active,
        token_version=row.token_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        password_hash=row.password_hash,
    )
