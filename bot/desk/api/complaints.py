"""The complaint queue and the work on one complaint."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from bot.catalog.operators import OPERATORS
from bot.complaints.categories import CATEGORIES, RegulatoryClass
from bot.complaints.model import Status
from bot.complaints.text import clean_line
from bot.complaints.views import MAX_PAGE, ComplaintQuery, Sort
from bot.desk import privacy, services
from bot.desk.api.deps import ActorDep, DeskDep, NowDep, UowDep
from bot.desk.api.schemas import (
    AssignIn,
    AuditEventOut,
    CatalogueOut,
    ComplaintOut,
    ErasureRequestOut,
    Labels,
    NoteIn,
    PageOut,
    ReopenIn,
    ResolveIn,
)
from bot.desk.event_copy import ConversationsAndCopy

router = APIRouter(tags=["complaints"])
MAX_OFFSET = 1_000_000  # far past any real queue; bigger numbers overflow the databases' 64-bit OFFSET
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "not allowed for this user"},
    404: {"description": "no complaint with this ticket"},
    409: {"description": "claimed by someone else, or not allowed in the current status"},
}


@router.get("/complaints", response_model=PageOut)
def list_complaints(
    actor: ActorDep,
    uow: UowDep,
    now: NowDep,
    status: Status | None = None,
    category: str | None = None,
    regulatory_class: RegulatoryClass | None = None,
    operator: str | None = None,
    place: Annotated[str | None, Query(max_length=200, description="part of the place name")] = None,
    overdue: bool | None = None,
    assigned_to: Annotated[str | None, Query(max_length=64, description="a username, or `me`")] = None,
    unassigned: bool = False,
    q: Annotated[str | None, Query(max_length=200, description="text in the description or place, or a ticket")] = None,
    sort: Sort = Sort.URGENT,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PageOut:
    """Complaints, overdue first by default; phone numbers masked."""
    query = ComplaintQuery(
        status=status,
        category=clean_line(category) if category else category,
        regulatory_class=regulatory_class,
        operator=clean_line(operator) if operator else operator,
        place=clean_line(place) if place else place,
        overdue=overdue,
        assigned_agent=actor.username if assigned_to == "me" else (clean_line(assigned_to) if assigned_to else None),
        unassigned=unassigned,
        text=clean_line(q) if q else q,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    return PageOut.of(services.list_complaints(uow, actor, query, now))


@router.get("/catalogue", response_model=CatalogueOut)
def catalogue() -> CatalogueOut:
    """The statuses, categories, regulatory classes and operators the filters take, with labels."""
    return CatalogueOut(
        statuses=list(Status),
        categories={key: Labels(zh=c.labels.zh, en=c.labels.en) for key, c in CATEGORIES.items()},
        regulatory_classes={rc.value: Labels(zh=rc.labels.zh, en=rc.labels.en) for rc in RegulatoryClass},
        operators={key: Labels(zh=op.name_zh, en=op.name_en) for key, op in OPERATORS.items()},
    )


@router.get("/complaints/{ticket}", response_model=ComplaintOut, responses=ERRORS)
def read_complaint(ticket: str, actor: ActorDep, uow: UowDep, now: NowDep) -> ComplaintOut:
    """The complaint with transcript, notes and audit trail. Its handler (assigned agent or a supervisor)
    sees the full phone number, and that view is recorded in the audit trail (`viewed_contact`)."""
    return ComplaintOut.of_detail(services.complaint_detail(uow, actor, ticket, now))


@router.get("/complaints/{ticket}/audit", response_model=list[AuditEventOut], responses=ERRORS)
def audit_trail(ticket: str, actor: ActorDep, uow: UowDep) -> list[AuditEventOut]:
    """Who did what, when."""
    return [AuditEventOut.of(event) for event in services.audit_trail(uow, actor, ticket)]


@router.post("/complaints/{ticket}/claim", response_model=ComplaintOut, responses=ERRORS)
def claim(ticket: str, actor: ActorDep, uow: UowDep, now: NowDep) -> ComplaintOut:
    """Take an open complaint (open → in_progress); 409 when someone else was first."""
    return ComplaintOut.of_detail(services.claim(uow, actor, ticket, now))


@router.post("/complaints/{ticket}/notes", response_model=ComplaintOut, responses=ERRORS)
def add_note(ticket: str, note: NoteIn, actor: ActorDep, uow: UowDep, now: NowDep) -> ComplaintOut:
    """An internal note, or (`to_user`) a reply the user sees; by the assigned agent or a supervisor."""
    return ComplaintOut.of_detail(services.add_note(uow, actor, ticket, note.text, note.to_user, now))


@router.post("/complaints/{ticket}/resolve", response_model=ComplaintOut, responses=ERRORS)
def resolve(ticket: str, body: ResolveIn, actor: ActorDep, uow: UowDep, now: NowDep) -> ComplaintOut:
    """in_progress → resolved, with the resolution the user sees; by the assigned agent or a supervisor."""
    return ComplaintOut.of_detail(services.resolve(uow, actor, ticket, body.resolution, now))


@router.post("/complaints/{ticket}/close", response_model=ComplaintOut, responses=ERRORS)
def close(ticket: str, actor: ActorDep, uow: UowDep, now: NowDep) -> ComplaintOut:
    """resolved → closed (supervisors)."""
    return ComplaintOut.of_detail(services.close(uow, actor, ticket, now))


@router.post("/complaints/{ticket}/reopen", response_model=ComplaintOut, responses=ERRORS)
def reopen(ticket: str, body: ReopenIn, actor: ActorDep, uow: UowDep, now: NowDep) -> ComplaintOut:
    """resolved or closed → open, unassigned, back in the queue (supervisors)."""
    return ComplaintOut.of_detail(services.reopen(uow, actor, ticket, body.reason, now))


@router.post("/complaints/{ticket}/assign", response_model=ComplaintOut, responses=ERRORS)
def assign(ticket: str, body: AssignIn, actor: ActorDep, uow: UowDep, now: NowDep) -> ComplaintOut:
    """Hand an open or in-progress complaint to another desk user (supervisors)."""
    return ComplaintOut.of_detail(services.reassign(uow, actor, ticket, body.username, now))


@router.get("/privacy/requests", response_model=list[ErasureRequestOut], responses={403: ERRORS[403]})
def erasure_requests(actor: ActorDep, uow: UowDep) -> list[ErasureRequestOut]:
    """Users' requests, made in the chat, to erase their data; waiting for a supervisor (supervisors)."""
    return [ErasureRequestOut.of(request) for request in privacy.pending_requests(uow, actor)]


@router.post("/complaints/{ticket}/erase", response_model=ComplaintOut, responses=ERRORS)
def erase(ticket: str, actor: ActorDep, uow: UowDep, desk: DeskDep, now: NowDep) -> ComplaintOut:
    """Erase the complaint's personal data (phone, chat, free texts) and the user's conversation in the
    tracker store; the record and statistics stay (supervisors; recorded in the audit trail)."""
    privacy.confirm_erasure(uow, actor, ticket, now, ConversationsAndCopy(desk.settings.tracker_url, desk.sessions))
    return ComplaintOut.of_detail(services.masked_detail(uow, ticket, now))
