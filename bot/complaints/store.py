"""Repositories over a SQLAlchemy Session: complaint rows in, domain Complaints out.

The mapping is explicit (orm.py rows <-> model.py dataclasses), so the domain
knows nothing of SQLAlchemy. Database failures leave as StoreUnavailable.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from bot.complaints.errors import ConcurrentUpdate, DuplicateComplaint, StoreUnavailable
from bot.complaints.model import AuditEvent, Complaint, NewEvent, Note, RegulatoryClass, Status, TranscriptEntry
from bot.complaints.orm import ComplaintRow, EventRow, NoteRow

# Audit details that hold free text someone typed (erased with the complaint's personal data).
FREE_TEXT_DETAILS = ("reason", "previous_resolution")


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


class AbstractComplaintRepository(abc.ABC):
    """What services need from storage; tests use an in-memory fake of it.

    Each audit event a complaint recorded is kept in `new_events` once stored, for the
    unit of work to publish when it commits.
    """

    def __init__(self) -> None:
        self.new_events: list[NewEvent] = []

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
    def audit_trail(self, ticket: str) -> list[AuditEvent]: ...


class SqlAlchemyComplaintRepository(AbstractComplaintRepository):
    def __init__(self, session: Session) -> None:
        super().__init__()
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

    def audit_trail(self, ticket: str) -> list[AuditEvent]:
        statement = select(EventRow).join(ComplaintRow).where(ComplaintRow.ticket == ticket).order_by(EventRow.id)
        with store_errors():
            rows = self.session.scalars(statement).all()
        return [AuditEvent(actor=r.actor, action=r.action, at=r.at, details=r.details) for r in rows]

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

    def _one(self, condition: ColumnElement[bool]) -> Complaint | None:
        with store_errors():
            row = self.session.scalars(with_notes(select(ComplaintRow).where(condition))).one_or_none()
        if row is None:
            return None
        self._rows[row.ticket] = row
        return to_domain(row)

    def _write_events(self, complaint_id: int, complaint: Complaint) -> None:
        self.session.add_all(_event_row(complaint_id, event) for event in complaint.events)
        self.session.flush()
        self.new_events.extend(NewEvent(complaint, event) for event in complaint.events)
        complaint.events.clear()


def with_notes(statement: Select[tuple[ComplaintRow]]) -> Select[tuple[ComplaintRow]]:
    """Loads the complaints' notes with them (one more query for all, not one per complaint)."""
    return statement.options(selectinload(ComplaintRow.notes))


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """The SQL twin of Complaint.is_overdue."""
    return and_(
        ComplaintRow.first_response_at.is_(None), ComplaintRow.resolved_at.is_(None), ComplaintRow.deadline < now
    )


# The fields a Complaint and its row share by name (the read side selects them too).
SCALAR_FIELDS = (
    "ticket idempotency_key channel sender_id language category description contact_phone operator place handset "
    "consent_given_at faq_topics_shown assigned_agent resolution reopen_count created_at updated_at deadline "
    "first_response_at resolved_at closed_at"
).split()


def _columns(complaint: Complaint) -> dict[str, Any]:
    """The complaint's own columns (not transcript, notes or events), as the row stores them."""
    columns = {name: getattr(complaint, name) for name in SCALAR_FIELDS}
    columns["faq_topics_shown"] = list(complaint.faq_topics_shown)
    return {**columns, "status": complaint.status.value, "regulatory_class": complaint.regulatory_class.value}


def to_domain(row: ComplaintRow) -> Complaint:
    """The domain Complaint of a row loaded with its notes."""
    scalars: dict[str, Any] = {name: getattr(row, name) for name in SCALAR_FIELDS}
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
