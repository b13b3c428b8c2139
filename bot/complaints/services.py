"""The complaint rules in one place: the bot's actions and the agent desk both call these.

Every function takes a unit of work, runs one transaction and commits it only when
the whole step succeeded; each change leaves an audit event (who, what, when).
"""

from __future__ import annotations

import hmac
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from bot.complaints.errors import AlreadyClaimed, ComplaintNotFound, DuplicateComplaint, StoreUnavailable
from bot.complaints.model import AuditEvent, Complaint, ComplaintDraft, Status, check_draft, mask_phone
from bot.complaints.store import ComplaintQuery, Page
from bot.complaints.ticket import normalise_ticket
from bot.complaints.unit_of_work import AbstractUnitOfWork
from bot.settings import get_settings

log = logging.getLogger(__name__)

TICKET_ATTEMPTS = 3
_LAST4 = re.compile(r"^\d{4}$")


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


def get_status(
    uow: AbstractUnitOfWork, ticket: str, phone_last4: str, *, now: datetime | None = None
) -> StatusView | None:
    """The status for the ticket's owner; None alike for an unknown ticket and wrong digits, revealing nothing."""
    canonical = normalise_ticket(ticket)
    digits = unicodedata.normalize("NFKC", phone_last4).strip()
    if canonical is None or not _LAST4.match(digits):
        return None
    with uow:
        complaint = uow.complaints.get(canonical)
    if complaint is None or not hmac.compare_digest(complaint.contact_phone[-4:], digits):
        return None
    return _status_view(complaint, now or datetime.now(timezone.utc))


def _status_view(complaint: Complaint, now: datetime) -> StatusView:
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


def search_complaints(uow: AbstractUnitOfWork, query: ComplaintQuery) -> Page:
    """The agent desk's filtered, paginated list."""
    with uow:
        return uow.complaints.search(query)


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
