"""The complaint rules in one place: the bot's actions and the agent desk both call these.

Every function takes a unit of work, runs one transaction and commits it only when
the whole step succeeded; each change leaves an audit event (who, what, when).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.complaints import views
from bot.complaints.errors import (
    AlreadyClaimed,
    ComplaintNotFound,
    ConcurrentUpdate,
    DuplicateComplaint,
    StoreUnavailable,
)
from bot.complaints.model import (
    BECAME_OVERDUE,
    ERASURE_REQUESTED,
    AuditEvent,
    Complaint,
    ComplaintDraft,
    check_draft,
    erasure_pending,
    mask_phone,
    utc,
)
from bot.complaints.ticket import normalise_ticket
from bot.complaints.unit_of_work import AbstractUnitOfWork, SqlAlchemyUnitOfWork
from bot.settings import get_settings

log = logging.getLogger(__name__)

TICKET_ATTEMPTS = 3
SYSTEM = "system"


def open_complaint(
    uow: AbstractUnitOfWork,
    draft: ComplaintDraft,
    now: datetime,
    idempotency_key: str,
    *,
    reply_days: int | None = None,
) -> Complaint:
    """Files the complaint, or returns the one already filed under the same idempotency key.

    Raises ConsentRequired, InvalidPhone or UnknownCategory before touching the database,
    and StoreUnavailable when the database is down (nothing is stored then).
    """
    check_draft(draft)
    days = reply_days if reply_days is not None else get_settings().complaint_reply_days
    for _attempt in range(TICKET_ATTEMPTS):
        complaint = _find_or_file(uow, draft, now, idempotency_key, days)
        if complaint is not None:
            return complaint
    raise StoreUnavailable("no free ticket number after several attempts")


def _find_or_file(
    uow: AbstractUnitOfWork, draft: ComplaintDraft, now: datetime, key: str, reply_days: int
) -> Complaint | None:
    """The stored complaint for the key, a newly filed one, or None when a race was lost (try again)."""
    with uow:
        existing = uow.complaints.get_by_idempotency_key(key)
        if existing is not None:
            log.info("complaint %s already filed under this idempotency key", existing.ticket)
            return existing
        ticket = uow.tickets.next_ticket(now)
        complaint = Complaint.open(draft, ticket=ticket, now=now, idempotency_key=key, reply_days=reply_days)
        try:
            uow.complaints.add(complaint)
        except DuplicateComplaint:
            return None  # the same key committed concurrently, or the ticket was taken
        uow.commit()
    log.info(
        "complaint %s opened via %s (%s), contact %s",
        complaint.ticket,
        complaint.channel,
        complaint.category,
        mask_phone(complaint.contact_phone),
    )
    return complaint


def claim(uow: AbstractUnitOfWork, ticket: str, agent: str, now: datetime) -> Complaint:
    """The agent takes the complaint; of two agents claiming at once exactly one wins, the other gets AlreadyClaimed."""
    with uow:
        complaint = _load(uow, ticket)
        complaint.claim(agent, now)
        if not uow.complaints.claim(complaint):  # the database arbitrates the race
            raise AlreadyClaimed(complaint.ticket)
        uow.commit()
    return complaint


def add_note(uow: AbstractUnitOfWork, ticket: str, author: str, text: str, to_user: bool, now: datetime) -> Complaint:
    """An internal or user-facing note; the first one to the user is the operator's reply (first_response_at)."""
    return _change(uow, ticket, lambda complaint: complaint.add_note(author, text, to_user=to_user, now=now))


def resolve(uow: AbstractUnitOfWork, ticket: str, agent: str, resolution: str, now: datetime) -> Complaint:
    return _change(uow, ticket, lambda complaint: complaint.resolve(agent, resolution, now))


def close(uow: AbstractUnitOfWork, ticket: str, actor: str, now: datetime) -> Complaint:
    return _change(uow, ticket, lambda complaint: complaint.close(actor, now))


def reopen(uow: AbstractUnitOfWork, ticket: str, actor: str, now: datetime, reason: str = "") -> Complaint:
    return _change(uow, ticket, lambda complaint: complaint.reopen(actor, now, reason))


def record_overdue(make_uow: Callable[[], SqlAlchemyUnitOfWork], now: datetime) -> list[str]:
    """Records `became_overdue` once for each complaint past its deadline unanswered; returns their tickets.

    The event is what announces the complaint as overdue (a unit of work built with the outbox publisher
    enqueues the notification with it); of two sweeps at once, one records it and the other skips it."""
    recorded = []
    for ticket in views.newly_overdue(make_uow(), now):
        try:
            with make_uow() as uow:
                complaint = uow.complaints.get(ticket)
                if complaint is None or not complaint.is_overdue(now):
                    continue
                details = {"deadline": complaint.deadline.isoformat()}
                complaint.events.append(AuditEvent(actor=SYSTEM, action=BECAME_OVERDUE, at=now, details=details))
                uow.complaints.save(complaint)
                uow.commit()
        except ConcurrentUpdate:
            log.info("complaint %s: overdue already recorded by another worker", ticket)
            continue
        recorded.append(ticket)
    return recorded


def request_erasure(uow: AbstractUnitOfWork, ticket: str, phone_last4: str, now: datetime) -> bool:
    """Records the user's request that their data be erased, for a supervisor at the desk to confirm;
    False when the ticket and digits do not match."""
    complaint = views.owned_complaint(uow, ticket, phone_last4)
    if complaint is None:
        return False
    with uow:
        complaint = uow.complaints.get(complaint.ticket) or complaint
        if not erasure_pending(uow.complaints.audit_trail(complaint.ticket)):
            complaint.events.append(AuditEvent(actor="user", action=ERASURE_REQUESTED, at=utc(now)))
            uow.complaints.save(complaint)
            uow.commit()
    log.info("complaint %s: the user asked for their data to be erased", complaint.ticket)
    return True


def audit_trail(uow: AbstractUnitOfWork, ticket: str) -> list[AuditEvent]:
    with uow:
        return uow.complaints.audit_trail(ticket)


def _change(uow: AbstractUnitOfWork, ticket: str, change: Callable[[Complaint], object]) -> Complaint:
    with uow:
        complaint = _load(uow, ticket)
        change(complaint)
        uow.complaints.save(complaint)
        uow.commit()
    return complaint


def _load(uow: AbstractUnitOfWork, ticket: str) -> Complaint:
    canonical = normalise_ticket(ticket) or ticket
    complaint = uow.complaints.get(canonical)
    if complaint is None:
        raise ComplaintNotFound(canonical)
    return complaint
