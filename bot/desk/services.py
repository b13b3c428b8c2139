"""The desk's complaint operations: who may do them (permissions), then the complaint rules (bot.complaints).

Each function runs on behalf of an authenticated Actor whose username goes into the
audit trail. Where bot.complaints.services has the step, it is called; steps that need
a permission check on the loaded complaint run check and change in one transaction, so
a reassignment in between cannot slip through. Lists never show full phone numbers; a
complaint's detail shows it to whoever handles it, and records that view
("viewed_contact").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.complaints import services as complaint_services
from bot.complaints import views
from bot.complaints.errors import ComplaintNotFound, InvalidTransition
from bot.complaints.model import AuditEvent, Complaint, Status, TranscriptEntry, mask_phone, utc
from bot.complaints.text import clean_line
from bot.complaints.ticket import normalise_ticket
from bot.complaints.views import ComplaintQuery
from bot.desk.errors import UnknownUser
from bot.desk.export import complaints_csv
from bot.desk.live_stats import HandoffFigures, handoff_figures
from bot.desk.permissions import Actor, may_see_contact, require_handler, require_supervisor
from bot.desk.statistics import ComplaintFigures, Period, complaint_figures
from bot.desk.tracker import ConversationStats, TrackerStore
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.handoff.store import HandoffRepository
from common.redact import looks_numeric, redact_numbers

VIEWED_CONTACT = "viewed_contact"
REASSIGNED = "reassigned"


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as the desk shows it. Unless `contact_visible`, the phone number is masked and long numbers
    in the user's words (description, transcript) too, since users type their number into the chat.
    Show `complaint` only for its other fields."""

    complaint: Complaint
    contact_phone: str
    contact_visible: bool
    overdue: bool
    description: str
    transcript: list[TranscriptEntry]


@dataclass(frozen=True)
class QueuePage:
    items: list[ComplaintView]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class ComplaintDetail:
    view: ComplaintView
    audit: list[AuditEvent]


@dataclass(frozen=True)
class Statistics:
    period: Period
    complaints: ComplaintFigures
    backlog_open: int
    backlog_overdue: int
    conversations: ConversationStats
    handoff: HandoffFigures


def masked(complaint: Complaint, now: datetime) -> ComplaintView:
    """The view for whoever may not see the number: every free text redacted, since any of them can hold it
    (the user's description, place and words, an agent's notes and resolution)."""
    redacted = replace(
        complaint,
        contact_phone=mask_phone(complaint.contact_phone),
        description=redact_numbers(complaint.description),
        place=redact_numbers(complaint.place) if complaint.place else complaint.place,
        handset=redact_numbers(complaint.handset) if complaint.handset else complaint.handset,
        resolution=redact_numbers(complaint.resolution) if complaint.resolution else complaint.resolution,
        notes=[replace(note, text=redact_numbers(note.text)) for note in complaint.notes],
        transcript=[replace(entry, text=redact_numbers(entry.text)) for entry in complaint.transcript],
    )
    return ComplaintView(
        complaint=redacted,
        contact_phone=redacted.contact_phone,
        contact_visible=False,
        overdue=complaint.is_overdue(now),
        description=redacted.description,
        transcript=redacted.transcript,
    )


def redacted_events(events: list[AuditEvent]) -> list[AuditEvent]:
    """Audit events with long numbers masked in their details (a reopen reason, a previous resolution)."""
    return [replace(event, details=_redacted(event.details)) for event in events]


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_numbers(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def in_full(complaint: Complaint, now: datetime) -> ComplaintView:
    return ComplaintView(
        complaint=complaint,
        contact_phone=complaint.contact_phone,
        contact_visible=True,
        overdue=complaint.is_overdue(now),
        description=complaint.description,
        transcript=list(complaint.transcript),
    )


def list_complaints(uow: DeskUnitOfWork, actor: Actor, query: ComplaintQuery, now: datetime) -> QueuePage:
    """The queue, overdue first unless sorted otherwise; phone numbers masked.

    A search text that holds digits looks into the free text only of the complaints the actor handles:
    otherwise an agent could learn a masked number digit by digit from which complaints match."""
    if query.text and looks_numeric(query.text) and not actor.is_supervisor:
        query = replace(query, private_text_of=actor.username)
    page = views.search(uow, query, now)
    return QueuePage([masked(c, now) for c in page.items], page.total, page.limit, page.offset)


def complaint_detail(uow: DeskUnitOfWork, actor: Actor, ticket: str, now: datetime) -> ComplaintDetail:
    """The complaint with its transcript, notes and audit trail; the full phone number only for its handler."""
    with uow:
        complaint = _load(uow, ticket)
        view = masked(complaint, now)
        visible = may_see_contact(actor, complaint)
        if visible:
            complaint.events.append(AuditEvent(actor=actor.username, action=VIEWED_CONTACT, at=utc(now)))
            uow.complaints.save(complaint)
            uow.commit()
            view = in_full(complaint, now)
        audit = uow.complaints.audit_trail(complaint.ticket)
    return ComplaintDetail(view, audit if visible else redacted_events(audit))


def masked_detail(uow: DeskUnitOfWork, ticket: str, now: datetime) -> ComplaintDetail:
    """The complaint as it is after a change, phone masked (no contact data shown, so no view audited)."""
    with uow:
        complaint = _load(uow, ticket)
    return _detail(uow, complaint, now)


def claim(uow: DeskUnitOfWork, actor: Actor, ticket: str, now: datetime) -> ComplaintDetail:
    """Any agent may take an open complaint; of two at once exactly one wins (AlreadyClaimed for the other)."""
    complaint = complaint_services.claim(uow, _canonical(ticket), actor.username, now)
    return _detail(uow, complaint, now)


def add_note(
    uow: DeskUnitOfWork, actor: Actor, ticket: str, text: str, to_user: bool, now: datetime
) -> ComplaintDetail:
    """An internal note, or one to the user (the first counts as the operator's reply), by the handler."""
    return _change_as(
        uow, actor, ticket, now, "write notes on", lambda c: c.add_note(actor.username, text, to_user=to_user, now=now)
    )


def resolve(uow: DeskUnitOfWork, actor: Actor, ticket: str, resolution: str, now: datetime) -> ComplaintDetail:
    return _change_as(uow, actor, ticket, now, "resolve", lambda c: c.resolve(actor.username, resolution, now))


def close(uow: DeskUnitOfWork, actor: Actor, ticket: str, now: datetime) -> ComplaintDetail:
    require_supervisor(actor, "close complaints")
    return _detail(uow, complaint_services.close(uow, _canonical(ticket), actor.username, now), now)


def reopen(uow: DeskUnitOfWork, actor: Actor, ticket: str, reason: str, now: datetime) -> ComplaintDetail:
    require_supervisor(actor, "reopen complaints")
    return _detail(uow, complaint_services.reopen(uow, _canonical(ticket), actor.username, now, reason), now)


def reassign(uow: DeskUnitOfWork, actor: Actor, ticket: str, to_username: str, now: datetime) -> ComplaintDetail:
    """A supervisor hands an open or in-progress complaint to another active desk user."""
    require_supervisor(actor, "reassign complaints")

    def hand_over(complaint: Complaint) -> None:
        if complaint.status not in (Status.OPEN, Status.IN_PROGRESS):
            raise InvalidTransition(complaint.ticket, complaint.status.value, Status.IN_PROGRESS.value)
        moment = utc(now)
        details = {"from": complaint.assigned_agent, "to": to_username, "status_from": complaint.status.value}
        complaint.assigned_agent, complaint.status, complaint.updated_at = to_username, Status.IN_PROGRESS, moment
        complaint.events.append(AuditEvent(actor=actor.username, action=REASSIGNED, at=moment, details=details))

    with uow:
        user = uow.users.get(to_username)
        if user is None or not user.active:
            raise UnknownUser(to_username)
        complaint = _load(uow, ticket)
        hand_over(complaint)
        uow.complaints.save(complaint)  # ConcurrentUpdate if someone claimed or changed it meanwhile
        uow.commit()
    return _detail(uow, complaint, now)


def audit_trail(uow: DeskUnitOfWork, actor: Actor, ticket: str) -> list[AuditEvent]:
    with uow:
        complaint = _load(uow, ticket)
        audit = uow.complaints.audit_trail(complaint.ticket)
    return audit if may_see_contact(actor, complaint) else redacted_events(audit)


def statistics(uow: DeskUnitOfWork, tracker: TrackerStore, actor: Actor, period: Period, now: datetime) -> Statistics:
    require_supervisor(actor, "see statistics")
    complaints = views.created_between(uow, period.start, period.end)
    backlog_open, backlog_overdue = views.backlog(uow, now)
    with uow:
        chats = HandoffRepository(uow.session).chats_requested_between(period.start, period.end)
    figures = complaint_figures(complaints, period, now)
    conversations = tracker.statistics(period.start, period.end)
    return Statistics(period, figures, backlog_open, backlog_overdue, conversations, handoff_figures(chats))


def export_csv(uow: DeskUnitOfWork, actor: Actor, period: Period, now: datetime) -> str:
    """The complaints filed in the period as CSV (masked phone numbers), oldest first."""
    require_supervisor(actor, "export complaints")
    complaints = views.created_between(uow, period.start, period.end)
    return complaints_csv(complaints, now)


def _change_as(
    uow: DeskUnitOfWork, actor: Actor, ticket: str, now: datetime, action: str, change: Callable[[Complaint], Any]
) -> ComplaintDetail:
    """Loads, checks that the actor handles the complaint, changes and saves it: one transaction."""
    with uow:
        complaint = _load(uow, ticket)
        require_handler(actor, complaint, action)
        change(complaint)
        uow.complaints.save(complaint)
        uow.commit()
    return _detail(uow, complaint, now)


def _detail(uow: DeskUnitOfWork, complaint: Complaint, now: datetime) -> ComplaintDetail:
    """The complaint after a change, phone masked (the change shows no contact data, so none is audited)."""
    with uow:
        audit = uow.complaints.audit_trail(complaint.ticket)
    return ComplaintDetail(masked(complaint, now), redacted_events(audit))


def _canonical(ticket: str) -> str:
    """The ticket in canonical form; anything that is not one is not found (without asking the database,
    which may refuse what it holds, e.g. PostgreSQL a NUL)."""
    canonical = normalise_ticket(ticket)
    if canonical is None:
        raise ComplaintNotFound(clean_line(ticket)[:40])
    return canonical


def _load(uow: DeskUnitOfWork, ticket: str) -> Complaint:
    complaint = uow.complaints.get(_canonical(ticket))
    if complaint is None:
        raise ComplaintNotFound(_canonical(ticket))
    return complaint
