"""The complaint record and its lifecycle, in plain Python (no database, no Rasa).

    open ──claim──▶ in_progress ──resolve──▶ resolved ──close──▶ closed
      ▲                                         │                  │
      └────────────────── reopen ───────────────┴──────────────────┘

Every step is a method that checks the move, stamps the time (UTC) and records an
audit event in `events` (new, unsaved ones; the repository stores and clears them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Literal

from bot.complaints.categories import CATEGORIES, RegulatoryClass, category_class, suggest_category
from bot.complaints.errors import AlreadyClaimed, ConsentRequired, InvalidTransition
from bot.complaints.phone import mask_phone, normalise_mainland_mobile
from bot.complaints.text import clean_text

__all__ = [
    "BECAME_OVERDUE",
    "CATEGORIES",
    "DEFAULT_REPLY_DAYS",
    "ERASED",
    "ERASURE_REQUESTED",
    "AuditEvent",
    "Complaint",
    "ComplaintDraft",
    "NewEvent",
    "Note",
    "RegulatoryClass",
    "Status",
    "TranscriptEntry",
    "category_class",
    "check_draft",
    "erasure_pending",
    "mask_phone",
    "normalise_mainland_mobile",
    "suggest_category",
    "utc",
]

# MIIT Order No. 35 (2016), Telecom User Complaint Handling Measures (电信用户申诉处理办法):
# a user may appeal to the regulator's appeal body when the operator has not replied to
# the complaint within 15 days. The clock runs in calendar days from the complaint.
DEFAULT_REPLY_DAYS = 15

# Audit actions recorded outside the lifecycle below: by the overdue sweep, and by the personal data lifecycle.
BECAME_OVERDUE = "became_overdue"
ERASURE_REQUESTED = "erasure_requested"
ERASED = "erased"

Language = Literal["zh", "en"]
Role = Literal["user", "bot", "agent"]  # agent: a person of the desk in a live chat


class Status(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


ALLOWED_MOVES = {
    (Status.OPEN, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.RESOLVED),
    (Status.RESOLVED, Status.CLOSED),
    (Status.RESOLVED, Status.OPEN),
    (Status.CLOSED, Status.OPEN),
}


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused because their zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class TranscriptEntry:
    role: Role
    text: str
    timestamp: datetime


@dataclass(frozen=True)
class Note:
    """A note by an agent: internal (for colleagues) or to_user (shown to the user on lookup)."""

    author: str
    text: str
    to_user: bool
    at: datetime


@dataclass(frozen=True)
class AuditEvent:
    actor: str
    action: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class ComplaintDraft:
    """What the bot collected from the user before confirmation; Complaint.open checks it."""

    channel: str
    sender_id: str
    language: Language
    category: str
    description: str
    contact_phone: str
    operator: str
    consent_given_at: datetime | None
    place: str | None = None
    handset: str | None = None
    transcript: list[TranscriptEntry] = field(default_factory=list)
    faq_topics_shown: list[str] = field(default_factory=list)


def check_draft(draft: ComplaintDraft) -> tuple[str, datetime]:
    """Raises ConsentRequired, InvalidPhone or UnknownCategory; returns the normalised phone and consent time."""
    if draft.consent_given_at is None:
        raise ConsentRequired()
    if draft.language not in ("zh", "en"):
        raise ValueError(f"unsupported language {draft.language!r}")
    category_class(draft.category)
    return normalise_mainland_mobile(draft.contact_phone), utc(draft.consent_given_at)


@dataclass(kw_only=True)
class Complaint:
    ticket: str
    channel: str
    sender_id: str
    language: Language
    category: str
    regulatory_class: RegulatoryClass
    description: str
    contact_phone: str
    operator: str
    consent_given_at: datetime
    created_at: datetime
    updated_at: datetime
    deadline: datetime
    place: str | None = None
    handset: str | None = None
    status: Status = Status.OPEN
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    transcript: list[TranscriptEntry] = field(default_factory=list)
    faq_topics_shown: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    assigned_agent: str | None = None
    resolution: str | None = None
    idempotency_key: str | None = None
    events: list[AuditEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def open(
        cls,
        draft: ComplaintDraft,
        *,
        ticket: str,
        now: datetime,
        idempotency_key: str | None = None,
        reply_days: int = DEFAULT_REPLY_DAYS,
        by: str = "bot",
    ) -> Complaint:
        """A new open complaint from a checked draft; the reply deadline runs from `now`."""
        phone, consent_given_at = check_draft(draft)
        now = utc(now)
        complaint = cls(
            ticket=ticket,
            channel=draft.channel,
            sender_id=draft.sender_id,
            language=draft.language,
            category=draft.category,
            regulatory_class=category_class(draft.category),
            description=clean_text(draft.description).strip(),
            contact_phone=phone,
            operator=draft.operator,
            place=clean_text(draft.place) if draft.place else draft.place,
            handset=clean_text(draft.handset) if draft.handset else draft.handset,
            consent_given_at=consent_given_at,
            created_at=now,
            updated_at=now,
            deadline=now + timedelta(days=reply_days),
            transcript=[replace(entry, text=clean_text(entry.text)) for entry in draft.transcript],
            faq_topics_shown=list(draft.faq_topics_shown),
            idempotency_key=idempotency_key,
        )
        complaint._record(by, "created", now, {"category": draft.category, "channel": draft.channel})
        return complaint

    def is_overdue(self, now: datetime) -> bool:
        """Past the reply deadline with neither a reply to the user nor a resolution."""
        replied = self.first_response_at is not None or self.resolved_at is not None
        return not replied and utc(now) > self.deadline

    def latest_note_to_user(self) -> Note | None:
        return next((note for note in reversed(self.notes) if note.to_user), None)

    def claim(self, agent: str, now: datetime) -> None:
        """The agent takes the complaint: open → in_progress."""
        if self.status is Status.IN_PROGRESS:
            raise AlreadyClaimed(self.ticket)
        self._move(Status.IN_PROGRESS, agent, now, "claimed")
        self.assigned_agent = agent

    def add_note(self, author: str, text: str, *, to_user: bool, now: datetime) -> Note:
        """An internal or user-facing note; the first note to the user counts as the operator's reply."""
        now = utc(now)
        note = Note(author=author, text=clean_text(text), to_user=to_user, at=now)
        self.notes.append(note)
        if to_user and self.first_response_at is None:
            self.first_response_at = now
        self.updated_at = now
        self._record(author, "note_added", now, {"to_user": to_user})
        return note

    def resolve(self, agent: str, resolution: str, now: datetime) -> None:
        """in_progress → resolved; the resolution is a reply to the user too."""
        self._move(Status.RESOLVED, agent, now, "resolved")
        self.resolution = clean_text(resolution)
        self.resolved_at = self.updated_at
        self.first_response_at = self.first_response_at or self.updated_at

    def close(self, actor: str, now: datetime) -> None:
        """resolved → closed (the user accepted, or the agent closed it)."""
        self._move(Status.CLOSED, actor, now, "closed")
        self.closed_at = self.updated_at

    def reopen(self, actor: str, now: datetime, reason: str = "") -> None:
        """resolved/closed → open, back in the queue for any agent; the old resolution goes to the audit."""
        previous = self.resolution
        self._move(Status.OPEN, actor, now, "reopened", {"reason": clean_text(reason), "previous_resolution": previous})
        self.reopen_count += 1
        self.resolution = self.resolved_at = self.closed_at = self.assigned_agent = None

    def _move(self, to: Status, actor: str, now: datetime, action: str, details: dict[str, Any] | None = None) -> None:
        if (self.status, to) not in ALLOWED_MOVES:
            raise InvalidTransition(self.ticket, self.status.value, to.value)
        now = utc(now)
        self._record(actor, action, now, {"from": self.status.value, "to": to.value, **(details or {})})
        self.status = to
        self.updated_at = now

    def _record(self, actor: str, action: str, at: datetime, details: dict[str, Any]) -> None:
        self.events.append(AuditEvent(actor=actor, action=action, at=at, details=details))


@dataclass(frozen=True)
class NewEvent:
    """An audit event just stored, with its complaint: what the unit of work publishes when it commits."""

    complaint: Complaint
    event: AuditEvent


def erasure_pending(audit: list[AuditEvent]) -> bool:
    """Whether the user's latest erasure request came after the latest erasure."""
    state = False
    for event in audit:
        if event.action == ERASURE_REQUESTED:
            state = True
        elif event.action == ERASED:
            state = False
    return state
