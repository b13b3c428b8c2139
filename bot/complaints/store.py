"""Repositories over a SQLAlchemy Session: complaint rows in, domain Complaints out.

The mapping is explicit (orm.py rows <-> model.py dataclasses), so the domain
knows nothing of SQLAlchemy. Database failures leave as StoreUnavailable.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, func, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from bot.complaints.errors import ConcurrentUpdate, DuplicateComplaint, StoreUnavailable
from bot.complaints.model import AuditEvent, Complaint, Note, RegulatoryClass, Status, TranscriptEntry
from bot.complaints.orm import ComplaintRow, EventRow, NoteRow

MAX_PAGE = 100


@contextmanager
def store_errors() -> Iterator[None]:
    """Turns "the database is not there" into StoreUnavailable, without SQL or parameters in the message."""
    try:
        yield
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as error:
        raise StoreUnavailable(f"database unavailable ({_cause(error)})") from error
    except sa_exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        raise StoreUnavailable(f"database connection lost ({_cause(error)})") from error


def _cause(error: Exception) -> str:
    return type(getattr(error, "orig", None) or error).__name__


@dataclass(frozen=True)
class ComplaintQuery:
    """Filters for the agent desk's list; every filter is optional, results newest first."""

    status: Status | None = None
    category: str | None = None
    regulatory_class: RegulatoryClass | None = None
    operator: str | None = None
    place: str | None = None
    overdue_at: datetime | None = None
    text: str | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class Page:
    items: list[Complaint]
    total: int
    limit: int
    offset: int


class AbstractComplaintRepository(abc.ABC):
    """What services need from storage; tests use an in-memory fake of it."""

    @abc.abstractmethod
    def add(self, complaint: Complaint) -> None:
        """Stores a new complaint; DuplicateComplaint if its ticket or idempotency key is taken."""

    @abc.abstractmethod
    def get(self, ticket: str) -> Complaint | None: ...

    @abc.abstractmethod
    def get_by_idempotency_key(self, key: str) -> Complaint | None: ...

    @abc.abstractmethod
    def save(self, complaint: Complaint) -> None:
        """Writes back a complaint read through this repository; ConcurrentUpdate if it changed meanwhile."""

    @abc.abstractmethod
    def claim(self, complaint: Complaint) -> bool:
        """Writes a claim only if nobody claimed the complaint since; False when someone did."""

    @abc.abstractmethod
    def search(self, query: ComplaintQuery) -> Page: ...

    @abc.abstractmethod
    def audit_trail(self, ticket: str) -> list[AuditEvent]: ...


class SqlAlchemyComplaintRepository(AbstractComplaintRepository):
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, ComplaintRow] = {}

    def add(self, complaint: Complaint) -> None:
        row = ComplaintRow(**_columns(complaint), transcript=_transcript_json(complaint.transcript))
        row.notes = [_note_row(note) for note in complaint.notes]
        with store_errors():
            self.session.add(row)
            try:
                self.session.flush()
            except sa_exc.IntegrityError as error:
                raise DuplicateComplaint(f"ticket {complaint.ticket} or its idempotency key is taken") from error
            self._write_events(row.id, complaint)
        self._rows[complaint.ticket] = row

    def get(self, ticket: str) -> Complaint | None:
        return self._one(ComplaintRow.ticket == ticket)

    def get_by_idempotency_key(self, key: str) -> Complaint | None:
        return self._one(ComplaintRow.idempotency_key == key)

    def save(self, complaint: Complaint) -> None:
        """Writes back a complaint got from this repository (not one built elsewhere)."""
        row = self._rows[complaint.ticket]
        for name, value in _columns(complaint).items():
            setattr(row, name, value)
        row.notes.extend(_note_row(note) for note in complaint.notes[len(row.notes) :])
        with store_errors():
            try:
                self.session.flush()
            except StaleDataError as error:
                raise ConcurrentUpdate(complaint.ticket) from error
            self._write_events(row.id, complaint)

    def claim(self, complaint: Complaint) -> bool:
        """A conditional UPDATE ... WHERE assigned_agent IS NULL: the database decides who was first."""
        row = self._rows[complaint.ticket]
        statement = (
            update(ComplaintRow)
            .where(
                ComplaintRow.id == row.id,
                ComplaintRow.assigned_agent.is_(None),
                ComplaintRow.status == Status.OPEN.value,
            )
            .values(
                assigned_agent=complaint.assigned_agent,
                status=complaint.status.value,
                updated_at=complaint.updated_at,
                version=ComplaintRow.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        with store_errors():
            result = cast(CursorResult[Any], self.session.execute(statement))
            if result.rowcount != 1:
                return False
            self.session.expire(row)
            self._write_events(row.id, complaint)
        return True

    def search(self, query: ComplaintQuery) -> Page:
        where = _filters(query)
        limit = max(1, min(query.limit, MAX_PAGE))
        offset = max(0, query.offset)
        listing = _loading(select(ComplaintRow).where(*where))
        listing = listing.order_by(ComplaintRow.created_at.desc(), ComplaintRow.id.desc()).limit(limit).offset(offset)
        with store_errors():
            total = self.session.scalar(select(func.count()).select_from(ComplaintRow).where(*where)) or 0
            rows = self.session.scalars(listing).all()
        return Page(items=[_to_domain(row) for row in rows], total=total, limit=limit, offset=offset)

    def audit_trail(self, ticket: str) -> list[AuditEvent]:
        statement = select(EventRow).join(ComplaintRow).where(ComplaintRow.ticket == ticket).order_by(EventRow.id)
        with store_errors():
            rows = self.session.scalars(statement).all()
        return [AuditEvent(actor=r.actor, action=r.action, at=r.at, details=r.details) for r in rows]

    def _one(self, condition: ColumnElement[bool]) -> Complaint | None:
        with store_errors():
            row = self.session.scalars(_loading(select(ComplaintRow).where(condition))).one_or_none()
        if row is None:
            return None
        self._rows[row.ticket] = row
        return _to_domain(row)

    def _write_events(self, complaint_id: int, complaint: Complaint) -> None:
        self.session.add_all(_event_row(complaint_id, event) for event in complaint.events)
        self.session.flush()
        complaint.events.clear()


def _loading(statement: Select[tuple[ComplaintRow]]) -> Select[tuple[ComplaintRow]]:
    return statement.options(selectinload(ComplaintRow.notes))


def _filters(query: ComplaintQuery) -> list[ColumnElement[bool]]:
    equal_to = {
        ComplaintRow.status: query.status.value if query.status else None,
        ComplaintRow.category: query.category,
        ComplaintRow.regulatory_class: query.regulatory_class.value if query.regulatory_class else None,
        ComplaintRow.operator: query.operator,
        ComplaintRow.place: query.place,
    }
    where = [column == value for column, value in equal_to.items() if value is not None]
    if query.text:
        where.append(ComplaintRow.description.icontains(query.text, autoescape=True))
    if query.overdue_at is not None:
        where.append(_overdue(query.overdue_at))
    return where


def _overdue(now: datetime) -> ColumnElement[bool]:
    """The SQL twin of Complaint.is_overdue."""
    return and_(
        ComplaintRow.first_response_at.is_(None), ComplaintRow.resolved_at.is_(None), ComplaintRow.deadline < now
    )


_SCALAR_FIELDS = (
    "ticket idempotency_key channel sender_id language category description contact_phone operator place handset "
    "consent_given_at faq_topics_shown assigned_agent resolution reopen_count created_at updated_at deadline "
    "first_response_at resolved_at closed_at"
).split()


def _columns(complaint: Complaint) -> dict[str, Any]:
    """The complaint's own columns (not transcript, notes or events), as the row stores them."""
    columns = {name: getattr(complaint, name) for name in _SCALAR_FIELDS}
    columns["faq_topics_shown"] = list(complaint.faq_topics_shown)
    return {**columns, "status": complaint.status.value, "regulatory_class": complaint.regulatory_class.value}


def _to_domain(row: ComplaintRow) -> Complaint:
    scalars: dict[str, Any] = {name: getattr(row, name) for name in _SCALAR_FIELDS}
    return Complaint(
        **scalars,
        status=Status(row.status),
        regulatory_class=RegulatoryClass(row.regulatory_class),
        transcript=[_transcript_entry(entry) for entry in row.transcript],
        notes=[Note(author=n.author, text=n.text, to_user=n.to_user, at=n.created_at) for n in row.notes],
    )


def _transcript_json(transcript: list[TranscriptEntry]) -> list[dict[str, Any]]:
    return [{"role": e.role, "text": e.text, "timestamp": e.timestamp.isoformat()} for e in transcript]


def _transcript_entry(entry: dict[str, Any]) -> TranscriptEntry:
    return TranscriptEntry(role=entry["role"], text=entry["text"], timestamp=datetime.fromisoformat(entry["timestamp"]))


def _note_row(note: Note) -> NoteRow:
    return NoteRow(author=note.author, text=note.text, to_user=note.to_user, created_at=note.at)


def _event_row(complaint_id: int, event: AuditEvent) -> EventRow:
    return EventRow(
        complaint_id=complaint_id, actor=event.actor, action=event.action, at=event.at, details=dict(event.details)
    )
