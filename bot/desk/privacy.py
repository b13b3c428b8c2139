"""The personal data lifecycle (PIPL): what is kept about a user, their erasure requests, and retention.

A complaint holds personal data in its phone number, the chat ID, the transcript and every free text
(description, notes, resolution, reopen reasons). Erasing a complaint removes all of them and keeps the
record: ticket, category, regulatory class, operator, place (long numbers masked), dates and status, so
statistics and the regulator's figures stay true. Erasure happens

- on a user's request, made in the chat (verified by ticket and last four digits, like the status
  look-up) and confirmed by a supervisor at the desk;
- by retention: closed complaints are erased `complaint_retention_days` after closing, by the scheduled
  command `python -m bot.cli erase-expired`, which also prunes the tracker store's conversations older
  than `conversation_retention_days` (bot.desk.conversations).

A confirmed user request also deletes that user's conversation from the tracker store.

Each erasure, and each request, is an event in the complaint's audit trail.
"""

from __future__ import annotations

import hmac
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.complaints.errors import ComplaintNotFound
from bot.complaints.model import AuditEvent, Complaint, Status, mask_phone, utc
from bot.complaints.ticket import normalise_ticket
from bot.complaints.unit_of_work import AbstractUnitOfWork
from bot.desk.conversations import Conversations
from bot.desk.permissions import Actor, require_supervisor
from bot.desk.redact import redact_numbers
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.messages import side_by_side

log = logging.getLogger(__name__)

ERASURE_REQUESTED = "erasure_requested"
ERASED = "erased"
ERASED_TEXT = f"[{side_by_side('desk.erased')}]"
SYSTEM = "system"


@dataclass(frozen=True)
class KeptData:
    """What the desk keeps about a user's complaint, as the user may see it (the number masked)."""

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


def verified(uow: AbstractUnitOfWork, ticket: str, phone_last4: str) -> Complaint | None:
    """The complaint if the last four digits match its number (as the status look-up checks); None alike else."""
    canonical = normalise_ticket(ticket)
    digits = unicodedata.normalize("NFKC", phone_last4 or "").strip()
    if canonical is None or len(digits) != 4 or not digits.isdigit():
        return None
    with uow:
        complaint = uow.complaints.get(canonical)
    if complaint is None or not complaint.contact_phone:
        return None
    return complaint if hmac.compare_digest(complaint.contact_phone[-4:], digits) else None


def kept_data(uow: AbstractUnitOfWork, ticket: str, phone_last4: str, retention_days: int) -> KeptData | None:
    """What is kept about the complaint, for its user (None when the ticket and digits do not match)."""
    complaint = verified(uow, ticket, phone_last4)
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
        erasure_requested=_pending(audit),
    )


def request_erasure(uow: AbstractUnitOfWork, ticket: str, phone_last4: str, now: datetime) -> bool:
    """Records the user's request for a supervisor to confirm; False when ticket and digits do not match."""
    complaint = verified(uow, ticket, phone_last4)
    if complaint is None:
        return False
    with uow:
        complaint = uow.complaints.get(complaint.ticket) or complaint
        if not _pending(uow.complaints.audit_trail(complaint.ticket)):
            complaint.events.append(AuditEvent(actor="user", action=ERASURE_REQUESTED, at=utc(now)))
            uow.complaints.save(complaint)
            uow.commit()
    log.info("complaint %s: the user asked for their data to be erased", complaint.ticket)
    return True


def pending_requests(uow: DeskUnitOfWork, actor: Actor) -> list[ErasureRequest]:
    """Users' erasure requests not yet carried out, oldest first (supervisors)."""
    require_supervisor(actor, "see erasure requests")
    with uow:
        found = uow.complaints.with_last_event(ERASURE_REQUESTED)
        requests = []
        for complaint, requested_at in found:
            if _pending(uow.complaints.audit_trail(complaint.ticket)):
                requests.append(ErasureRequest(complaint.ticket, requested_at, complaint.status))
    return sorted(requests, key=lambda r: r.requested_at)


def confirm_erasure(
    uow: DeskUnitOfWork, actor: Actor, ticket: str, now: datetime, conversations: Conversations | None = None
) -> None:
    """A supervisor erases a complaint's personal data (on the user's request, or on their own decision),
    and with it the user's conversation in the tracker store."""
    require_supervisor(actor, "erase personal data")
    canonical = normalise_ticket(ticket)
    if canonical is None:
        raise ComplaintNotFound(ticket[:40])
    with uow:
        audit = uow.complaints.audit_trail(canonical)
        reason = "user_request" if _pending(audit) else "supervisor"
        sender_id = _erase(uow, canonical, actor.username, reason, now)
        uow.commit()
    if conversations is not None and sender_id != ERASED:
        deleted = conversations.forget(sender_id)
        log.info("complaint %s: %d conversation event(s) deleted with it", canonical, deleted)


def erase_expired(make: Callable[[], DeskUnitOfWork], now: datetime, retention_days: int) -> list[str]:
    """Erases the complaints closed more than `retention_days` ago and not yet erased; their tickets."""
    cutoff = utc(now) - timedelta(days=retention_days)
    with make() as uow:
        tickets = uow.complaints.closed_before_not_erased(cutoff, ERASED)
    erased = []
    for ticket in tickets:
        with make() as uow:
            _erase(uow, ticket, SYSTEM, f"retention ({retention_days} days after closing)", now)
            uow.commit()
        erased.append(ticket)
    if erased:
        log.info("retention: personal data of %d closed complaint(s) erased", len(erased))
    return erased


def _erase(uow: DeskUnitOfWork, ticket: str, actor: str, reason: str, now: datetime) -> str:
    """Erases the complaint's personal data; returns the chat ID it had (ERASED if already erased)."""
    complaint = uow.complaints.get(ticket)
    if complaint is None:
        raise ComplaintNotFound(ticket)
    sender_id = complaint.sender_id
    complaint.contact_phone = ""
    complaint.sender_id = ERASED
    complaint.idempotency_key = None
    complaint.description = ERASED_TEXT
    complaint.transcript = []
    complaint.place = redact_numbers(complaint.place) if complaint.place else complaint.place
    complaint.handset = redact_numbers(complaint.handset) if complaint.handset else complaint.handset
    complaint.resolution = ERASED_TEXT if complaint.resolution else None
    complaint.events.append(AuditEvent(actor=actor, action=ERASED, at=utc(now), details={"basis": reason}))
    uow.complaints.save(complaint)
    uow.complaints.erase_free_text(complaint.ticket, ERASED_TEXT)
    return sender_id


def _pending(audit: list[AuditEvent]) -> bool:
    """Whether the latest request came after the latest erasure."""
    state = False
    for event in audit:
        if event.action == ERASURE_REQUESTED:
            state = True
        elif event.action == ERASED:
            state = False
    return state
