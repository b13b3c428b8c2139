"""Request and response bodies of the desk API (pydantic), built from the desk services' views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from bot.complaints.categories import CATEGORIES
from bot.complaints.model import AuditEvent, Note, RegulatoryClass, Status
from bot.complaints.text import clean_line, clean_text
from bot.complaints.views import ErasureRequest
from bot.desk.permissions import Role
from bot.desk.services import ComplaintDetail, ComplaintView, QueuePage, Statistics
from bot.desk.users import User
from common.redact import excerpt


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the token expires")
    username: str
    role: Role


class MeOut(BaseModel):
    username: str
    role: Role


class Labels(BaseModel):
    zh: str
    en: str


class ComplaintSummaryOut(BaseModel):
    ticket: str
    status: Status
    category: str
    category_label: Labels | None
    regulatory_class: RegulatoryClass
    operator: str
    place: str | None
    handset: str | None
    channel: str
    language: str
    contact_phone: str = Field(description="masked (138****5678) unless contact_visible")
    contact_visible: bool
    assigned_agent: str | None
    overdue: bool
    created_at: datetime
    updated_at: datetime
    deadline: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    excerpt: str = Field(description="the start of the description, long numbers masked")

    @classmethod
    def of(cls, view: ComplaintView) -> ComplaintSummaryOut:
        c = view.complaint
        category = CATEGORIES.get(c.category)
        return cls(
            ticket=c.ticket,
            status=c.status,
            category=c.category,
            category_label=Labels(zh=category.labels.zh, en=category.labels.en) if category else None,
            regulatory_class=c.regulatory_class,
            operator=c.operator,
            place=c.place,
            handset=c.handset,
            channel=c.channel,
            language=c.language,
            contact_phone=view.contact_phone,
            contact_visible=view.contact_visible,
            assigned_agent=c.assigned_agent,
            overdue=view.overdue,
            created_at=c.created_at,
            updated_at=c.updated_at,
            deadline=c.deadline,
            first_response_at=c.first_response_at,
            resolved_at=c.resolved_at,
            closed_at=c.closed_at,
            reopen_count=c.reopen_count,
            excerpt=excerpt(view.description, 120),
        )


class PageOut(BaseModel):
    items: list[ComplaintSummaryOut]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: QueuePage) -> PageOut:
        items = [ComplaintSummaryOut.of(view) for view in page.items]
        return cls(items=items, total=page.total, limit=page.limit, offset=page.offset)


class TranscriptEntryOut(BaseModel):
    role: str
    text: str
    timestamp: datetime


class NoteOut(BaseModel):
    author: str
    text: str
    to_user: bool
    at: datetime

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        return cls(author=note.author, text=note.text, to_user=note.to_user, at=note.at)


class AuditEventOut(BaseModel):
    actor: str = Field(description="who: a desk username, 'bot' or 'system'")
    action: str = Field(description="what: created, claimed, note_added, resolved, viewed_contact, ...")
    at: datetime = Field(description="when (UTC)")
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(actor=event.actor, action=event.action, at=event.at, details=dict(event.details))


class ComplaintOut(ComplaintSummaryOut):
    description: str
    resolution: str | None
    faq_topics_shown: list[str]
    transcript: list[TranscriptEntryOut]
    notes: list[NoteOut]
    audit: list[AuditEventOut]

    @classmethod
    def of_detail(cls, detail: ComplaintDetail) -> ComplaintOut:
        view, c = detail.view, detail.view.complaint
        return cls(
            **ComplaintSummaryOut.of(view).model_dump(),
            description=view.description,
            resolution=c.resolution,
            faq_topics_shown=list(c.faq_topics_shown),
            transcript=[TranscriptEntryOut(role=e.role, text=e.text, timestamp=e.timestamp) for e in view.transcript],
            notes=[NoteOut.of(note) for note in c.notes],
            audit=[AuditEventOut.of(event) for event in detail.audit],
        )


def _clean(value: Any) -> Any:
    """Free text as it enters: control characters and lone surrogates removed, surrounding space trimmed."""
    return clean_text(value).strip() if isinstance(value, str) else value


def _clean_line(value: Any) -> Any:
    return clean_line(value).strip() if isinstance(value, str) else value


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    to_user: bool = Field(False, description="true: shown to the user when they look the complaint up")

    _clean_text = field_validator("text", mode="before")(_clean)


class ResolveIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=4000, description="what was done; the user sees it")

    _clean_resolution = field_validator("resolution", mode="before")(_clean)


class ReopenIn(BaseModel):
    reason: str = Field("", max_length=1000)

    _clean_reason = field_validator("reason", mode="before")(_clean)


class AssignIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)

    _clean_username = field_validator("username", mode="before")(_clean_line)


class UserOut(BaseModel):
    username: str
    role: Role
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            username=user.username,
            role=user.role,
            active=user.active,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    role: Role = Role.AGENT


class UserChange(BaseModel):
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)


class PeriodOut(BaseModel):
    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")


class FaqTopicOut(BaseModel):
    topic: str
    answers: int
    asked_if_helpful: int
    helpful: int
    not_helpful: int
    not_helpful_rate: float | None


class MessageCount(BaseModel):
    text: str
    count: int


class ComplaintFiguresOut(BaseModel):
    total: int
    open: int
    overdue: int
    answered_within_deadline: int
    answered_late: int
    unanswered: int
    answered_within_deadline_rate: float | None = Field(
        description="answered within the deadline / (answered, in time or late, + overdue); pending ones left out"
    )
    by_category: dict[str, int]
    by_regulatory_class: dict[str, int]
    by_operator: dict[str, int]
    by_place: dict[str, int]
    per_day: dict[str, int]
    per_week: dict[str, int]
    median_first_response_hours: float | None
    median_resolution_hours: float | None


class BacklogOut(BaseModel):
    open: int
    overdue: int


class AgentFiguresOut(BaseModel):
    chats: int
    rated: int
    satisfaction: float | None
    median_handling_seconds: float | None


class HandoffFiguresOut(BaseModel):
    requested: int = Field(description="requests for a person, queued or not")
    handed_over: int = Field(description="accepted by an agent")
    outside_hours: int
    no_agent: int
    timed_out: int
    waiting: int
    median_waiting_seconds: float | None
    p90_waiting_seconds: float | None
    median_handling_seconds: float | None
    rated: int
    satisfaction: float | None = Field(description="mean 1-5 answer of the users asked after the chat")
    ended_in_complaint: int
    complaint_share: float | None = Field(description="of the chats handed over, those made into a complaint")
    by_agent: dict[str, AgentFiguresOut]


class StatsOut(BaseModel):
    period: PeriodOut
    complaints: ComplaintFiguresOut
    backlog: BacklogOut = Field(description="all complaints, whenever filed, as of now")
    faq: list[FaqTopicOut] = Field(description="FAQ topics, least helpful first")
    not_understood: list[MessageCount] = Field(description="most frequent messages the bot did not understand")
    tracker_available: bool
    handoff: HandoffFiguresOut

    @classmethod
    def of(cls, stats: Statistics, top: int = 20) -> StatsOut:
        figures = stats.complaints
        decided = figures.answered_within_deadline + figures.answered_late + figures.overdue
        faq = [
            FaqTopicOut(
                topic=topic,
                answers=counts.answers,
                asked_if_helpful=counts.asked_if_helpful,
                helpful=counts.helpful,
                not_helpful=counts.not_helpful,
                not_helpful_rate=counts.not_helpful_rate,
            )
            for topic, counts in stats.conversations.faq.items()
        ]
        faq.sort(key=lambda t: (-(t.not_helpful_rate or 0), -t.answers, t.topic))
        return cls(
            period=PeriodOut(first=stats.period.first, last=stats.period.last),
            complaints=ComplaintFiguresOut(
                **vars(figures),
                answered_within_deadline_rate=figures.answered_within_deadline / decided if decided else None,
            ),
            backlog=BacklogOut(open=stats.backlog_open, overdue=stats.backlog_overdue),
            faq=faq,
            not_understood=[
                MessageCount(text=text, count=count)
                for text, count in stats.conversations.not_understood.most_common(top)
            ],
            tracker_available=stats.conversations.available,
            handoff=HandoffFiguresOut(
                **{**vars(stats.handoff), "by_agent": {k: vars(v) for k, v in stats.handoff.by_agent.items()}}
            ),
        )


class CatalogueOut(BaseModel):
    """The keys the filters take, with labels for the console."""

    statuses: list[Status]
    categories: dict[str, Labels]
    regulatory_classes: dict[str, Labels]
    operators: dict[str, Labels]


class ErasureRequestOut(BaseModel):
    ticket: str
    requested_at: datetime
    status: Status

    @classmethod
    def of(cls, request: ErasureRequest) -> ErasureRequestOut:
        return cls(ticket=request.ticket, requested_at=request.requested_at, status=request.status)
