"""The personal data lifecycle (PIPL) at the desk: users' erasure requests confirmed, and retention.

A complaint holds personal data in its phone number, the chat ID, the transcript and every free text
(description, notes, resolution, reopen reasons). Erasing a complaint removes all of them and keeps the
record: ticket, category, regulatory class, operator, place (long numbers masked), dates and status, so
statistics and the regulator's figures stay true. Erasure happens

- on a user's request, made in the chat (verified by ticket and last four digits, like the status
  look-up) and confirmed by a supervisor at the desk;
- by retention: closed complaints are erased `complaint_retention_days` after closing, by the scheduled
  command `python -m bot.cli erase-expired`, which also prunes the tracker store's conversations older
  than `conversation_retention_days` (bot.desk.conversations).

A confirmed user request also deletes that user's conversation from the tracker store. What is kept, as
the user sees it, and the user's request are bot.complaints.views.kept_data and services.request_erasure.

Each erasure, and each request, is an event in the complaint's audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.complaints import views
from bot.complaints.errors import ComplaintNotFound
from bot.complaints.model import ERASED, AuditEvent, erasure_pending, utc
from bot.complaints.ticket import normalise_ticket
from bot.complaints.views import ErasureRequest
from bot.desk.conversations import Conversations
from bot.desk.permissions import Actor, require_supervisor
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.messages import side_by_side
from common.redact import redact_numbers

log = logging.getLogger(__name__)

ERASED_TEXT = f"[{side_by_side('desk.erased')}]"
SYSTEM = "system"


def pending_requests(uow: DeskUnitOfWork, actor: Actor) -> list[ErasureRequest]:
    """Users' erasure requests not yet carried out, oldest first (supervisors)."""
    require_supervisor(actor, "see erasure requests")
    return views.erasure_requests(uow)


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
        reason = "user_request" if erasure_pending(audit) else "supervisor"
        sender_id = _erase(uow, canonical, actor.username, reason, now)
        uow.commit()
    if conversations is not None and sender_id != ERASED:
        deleted = conversations.forget(sender_id)
        log.info("complaint %s: %d conversation event(s) deleted with it", canonical, deleted)


def erase_expired(make: Callable[[], DeskUnitOfWork], now: datetime, retention_days: int) -> list[str]:
    """Erases the complaints closed more than `retention_days` ago and not yet erased; their tickets."""
    cutoff = utc(now) - timedelta(days=retention_days)
    erased = []
    for ticket in views.closed_before_not_erased(make(), cutoff):
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
