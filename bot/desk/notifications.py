"""Telling support staff about new and overdue complaints through chat webhooks (WeCom, DingTalk, Slack).

Notifications follow audit events: `created` (the bot filed a complaint) and
`became_overdue` (the overdue sweep below records it once per complaint). OutboxHook
adds the outbox rows in the flush that writes the event, so both commit or neither
does; a unit of work wires the hook to its session (bot.desk.unit_of_work). For a
process that files complaints without the hook, the sweep enqueues the missed
`created` notifications late instead of never. Messages carry no full phone number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from bot.catalog.operators import OPERATORS
from bot.complaints.categories import CATEGORIES, RegulatoryClass
from bot.complaints.errors import ConcurrentUpdate
from bot.complaints.model import AuditEvent, mask_phone
from bot.complaints.orm import ComplaintRow, EventRow
from bot.complaints.ticket import CHINA_STANDARD_TIME
from bot.desk.outbox import new_rows
from bot.desk.redact import excerpt, redact_numbers
from bot.messages import side_by_side
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.desk.unit_of_work import DeskUnitOfWork

log = logging.getLogger(__name__)

SYSTEM = "system"
BECAME_OVERDUE = "became_overdue"
# audit action -> notification kind
KINDS = {"created": "created", BECAME_OVERDUE: "overdue"}
# The lines of a notification, labelled in both languages (bot.messages `notification.<field>`).
NOTIFICATION_FIELDS = ("category", "operator", "place", "phone", "reply_by", "description")
CATCH_UP = timedelta(days=2)
NOTIFICATIONS_ON = "notifications_on"


class ComplaintFacts(Protocol):
    """What a message tells: satisfied by the domain Complaint and by its ORM row."""

    ticket: str
    category: str
    operator: str
    place: str | None
    contact_phone: str
    description: str
    deadline: datetime

    @property
    def regulatory_class(self) -> Any: ...


@dataclass(frozen=True)
class Webhooks:
    urls: tuple[str, ...] = ()
    format: str = "auto"
    desk_url: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Webhooks:
        return cls(tuple(settings.notify_webhook_urls), settings.notify_webhook_format, settings.desk_public_url)

    def bodies(self, text: str) -> list[tuple[str, dict[str, Any]]]:
        return [(url, body_for(url, text, self.format)) for url in self.urls]


def body_for(url: str, text: str, style: str = "auto") -> dict[str, Any]:
    """Slack's {"text"} for hooks.slack.com (or style "slack"); else the msgtype text body of WeCom and DingTalk."""
    if style == "slack" or (style == "auto" and urlsplit(url).hostname == "hooks.slack.com"):
        return {"text": text}
    return {"msgtype": "text", "text": {"content": text}}


def message(kind: str, complaint: ComplaintFacts, desk_url: str = "") -> str:
    category = CATEGORIES.get(complaint.category)
    regulatory = RegulatoryClass(complaint.regulatory_class)
    operator = OPERATORS.get(complaint.operator)
    deadline = complaint.deadline.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M")
    label = {field: side_by_side(f"notification.{field}") for field in NOTIFICATION_FIELDS}
    lines = [
        f"【{side_by_side(f'notification.{kind}')}】{complaint.ticket}",
        f"{label['category']}: {category.labels.zh if category else complaint.category}（{regulatory.labels.zh}）",
        f"{label['operator']}: {operator.name_zh if operator else complaint.operator}",
        f"{label['place']}: {redact_numbers(complaint.place or '—')}",
        f"{label['phone']}: {mask_phone(complaint.contact_phone)}",
        f"{label['reply_by']}: {deadline}（{side_by_side('notification.beijing_time')}）",
        f"{label['description']}: {excerpt(complaint.description)}",
    ]
    if desk_url:
        lines.append(f"{desk_url.rstrip('/')}/desk/#/complaints/{complaint.ticket}")
    return "\n".join(lines)


class OutboxHook:
    """Enqueues the notifications of new `created` / `became_overdue` audit events in the flush that writes them."""

    def __init__(self, webhooks: Webhooks) -> None:
        self.webhooks = webhooks

    def attach(self, session: Session) -> None:
        event.listen(session, "before_flush", self._before_flush)

    def _before_flush(self, session: Session, _context: object, _instances: object) -> None:
        if not self.webhooks.urls:
            return
        for audit in [obj for obj in session.new if isinstance(obj, EventRow) and obj.action in KINDS]:
            with session.no_autoflush:
                complaint = session.get(ComplaintRow, audit.complaint_id)
            if complaint is not None:
                kind = KINDS[audit.action]
                text = message(kind, complaint, self.webhooks.desk_url)
                session.add_all(new_rows(kind, complaint.ticket, self.webhooks.bodies(text), audit.at))


def record_overdue(uow_factory: Callable[[], DeskUnitOfWork], now: datetime) -> list[str]:
    """Records `became_overdue` once for each complaint past its deadline unanswered; returns their tickets."""
    with uow_factory() as uow:
        tickets = uow.complaints.newly_overdue(now, BECAME_OVERDUE)
    recorded = []
    for ticket in tickets:
        try:
            with uow_factory() as uow:
                complaint = uow.complaints.get(ticket)
                if complaint is None or not complaint.is_overdue(now):
                    continue
                details = {"deadline": complaint.deadline.isoformat()}
                complaint.events.append(AuditEvent(actor=SYSTEM, action=BECAME_OVERDUE, at=now, details=details))
                uow.complaints.save(complaint)
                uow.commit()
        except (ConcurrentUpdate, sa_exc.IntegrityError):
            log.info("complaint %s: overdue already recorded by another worker", ticket)
            continue
        recorded.append(ticket)
    return recorded


def enqueue_missed_created(
    uow_factory: Callable[[], DeskUnitOfWork], webhooks: Webhooks, now: datetime, since: timedelta = CATCH_UP
) -> list[str]:
    """`created` notifications for recent complaints filed by a process without the hook (none when it has it).

    Only complaints filed since notifications were first on (remembered in desk_state at the first pass with
    webhooks), still open and unclaimed: turning notifications on for an existing database announces nothing old.
    """
    if not webhooks.urls:
        return []
    with uow_factory() as uow:
        enabled_at = uow.state.first(NOTIFICATIONS_ON, now)
        uow.commit()
    with uow_factory() as uow:
        missed = uow.complaints.without_notification(KINDS["created"], max(enabled_at, now - since))
    enqueued = []
    for complaint in missed:
        text = message("created", complaint, webhooks.desk_url)
        try:
            with uow_factory() as uow:
                uow.outbox.add(new_rows("created", complaint.ticket, webhooks.bodies(text), now))
                uow.commit()
        except sa_exc.IntegrityError:
            continue  # enqueued meanwhile
        enqueued.append(complaint.ticket)
    return enqueued
