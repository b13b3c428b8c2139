"""Complaint services on an in-memory unit of work (the database is tested in tests/integration)."""

import copy
import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.complaints import services
from bot.complaints.errors import (
    AlreadyClaimed,
    ComplaintNotFound,
    ConsentRequired,
    DuplicateComplaint,
    InvalidPhone,
    InvalidTransition,
)
from bot.complaints.model import ComplaintDraft, Status
from bot.complaints.store import AbstractComplaintRepository, ComplaintQuery, Page
from bot.complaints.ticket import format_ticket, ticket_day
from bot.complaints.unit_of_work import AbstractUnitOfWork

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=timezone.utc)


class FakeRepository(AbstractComplaintRepository):
    """Keeps copies, as a database would, so a caller's unsaved changes never leak in."""

    def __init__(self):
        self._complaints = {}
        self.events = []

    def add(self, complaint):
        taken = {c.idempotency_key for c in self._complaints.values()}
        if complaint.ticket in self._complaints or complaint.idempotency_key in taken:
            raise DuplicateComplaint(complaint.ticket)
        self._store(complaint)

    def get(self, ticket):
        return copy.deepcopy(self._complaints.get(ticket))

    def get_by_idempotency_key(self, key):
        found = [c for c in self._complaints.values() if c.idempotency_key == key]
        return copy.deepcopy(found[0]) if found else None

    def save(self, complaint):
        self._store(complaint)

    def claim(self, complaint):
        if self._complaints[complaint.ticket].assigned_agent is not None:
            return False
        self._store(complaint)
        return True

    def search(self, query):
        items = [c for c in self._complaints.values() if query.status in (None, c.status)]
        return Page(items=items[query.offset : query.offset + query.limit], total=len(items), **_page(query))

    def audit_trail(self, ticket):
        return [event for key, event in self.events if key == ticket]

    def _store(self, complaint):
        self.events += [(complaint.ticket, event) for event in complaint.events]
        complaint.events.clear()
        self._complaints[complaint.ticket] = copy.deepcopy(complaint)


def _page(query):
    return {"limit": query.limit, "offset": query.offset}


class FakeTickets:
    def __init__(self):
        self.last = {}

    def next_ticket(self, now):
        day = ticket_day(now)
        self.last[day] = self.last.get(day, 0) + 1
        return format_ticket(day, self.last[day])


class FakeUnitOfWork(AbstractUnitOfWork):
    def __init__(self):
        self.complaints = FakeRepository()
        self.tickets = FakeTickets()
        self.committed = False

    def commit(self):
        self.committed = True

    def rollback(self):
        pass


def a_draft(**changes):
    draft = ComplaintDraft(
        channel="socketio",
        sender_id="user-1",
        language="en",
        category="billing",
        description="I was charged twice this month",
        contact_phone="+86 138-1234-5678",
        operator="china_unicom",
        consent_given_at=NOW,
    )
    return replace(draft, **changes)


def filed(uow, key="key-1"):
    return services.open_complaint(uow, a_draft(), NOW, key, reply_days=15)


def test_opening_a_complaint_stores_it_with_a_ticket_a_deadline_and_commits():
    uow = FakeUnitOfWork()
    complaint = filed(uow)
    assert complaint.ticket == "C20261129-0001"
    assert complaint.deadline == NOW + timedelta(days=15)
    assert uow.committed
    assert uow.complaints.get("C20261129-0001").contact_phone == "13812345678"


def test_the_same_idempotency_key_returns_the_existing_complaint_instead_of_a_new_one():
    uow = FakeUnitOfWork()
    first = filed(uow, key="same")
    again = filed(uow, key="same")
    assert again.ticket == first.ticket
    assert uow.complaints.search(ComplaintQuery()).total == 1


def test_a_different_key_files_a_second_complaint_with_the_next_ticket():
    uow = FakeUnitOfWork()
    assert [filed(uow, key).ticket for key in ("a", "b")] == ["C20261129-0001", "C20261129-0002"]


def test_a_ticket_taken_meanwhile_is_retried_with_the_next_number():
    uow = FakeUnitOfWork()
    uow.complaints.add(replace(filed(FakeUnitOfWork(), key="elsewhere"), events=[]))  # holds -0001 already
    assert filed(uow, key="mine").ticket == "C20261129-0002"


def test_the_reply_period_comes_from_the_settings_unless_given(monkeypatch):
    from bot.settings import get_settings

    monkeypatch.setenv("COMPLAINT_REPLY_DAYS", "7")
    get_settings.cache_clear()
    try:
        complaint = services.open_complaint(FakeUnitOfWork(), a_draft(), NOW, "k")
    finally:
        get_settings.cache_clear()
    assert complaint.deadline == NOW + timedelta(days=7)


def test_a_complaint_without_consent_is_refused_and_nothing_is_stored():
    uow = FakeUnitOfWork()
    with pytest.raises(ConsentRequired):
        services.open_complaint(uow, a_draft(consent_given_at=None), NOW, "k")
    assert not uow.committed


def test_a_complaint_with_an_invalid_phone_is_refused():
    with pytest.raises(InvalidPhone):
        services.open_complaint(FakeUnitOfWork(), a_draft(contact_phone="12345"), NOW, "k")


def test_opening_records_who_created_the_complaint():
    uow = FakeUnitOfWork()
    complaint = filed(uow)
    [event] = services.audit_trail(uow, complaint.ticket)
    assert (event.actor, event.action, event.at) == ("bot", "created", NOW)


def test_the_log_never_contains_the_full_phone_number(caplog):
    with caplog.at_level(logging.INFO, logger="bot.complaints"):
        filed(FakeUnitOfWork())
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text


def test_the_owner_sees_the_status_with_the_last_four_digits():
    uow = FakeUnitOfWork()
    complaint = filed(uow)
    view = services.get_status(uow, complaint.ticket.lower(), "5678", now=NOW)
    assert (view.ticket, view.status, view.overdue, view.deadline) == (
        complaint.ticket,
        Status.OPEN,
        False,
        complaint.deadline,
    )


def test_wrong_digits_and_an_unknown_ticket_both_give_nothing_away():
    uow = FakeUnitOfWork()
    complaint = filed(uow)
    assert services.get_status(uow, complaint.ticket, "1234") is None
    assert services.get_status(uow, "C20261129-9999", "5678") is None
    assert services.get_status(uow, "not a ticket", "5678") is None
    assert services.get_status(uow, complaint.ticket, "56") is None


def test_the_status_shows_the_latest_note_to_the_user_and_the_resolution():
    uow = FakeUnitOfWork()
    ticket = filed(uow).ticket
    services.claim(uow, ticket, "agent-7", NOW)
    services.add_note(uow, ticket, "agent-7", "我们已联系网络部门", True, NOW)
    services.add_note(uow, ticket, "agent-7", "internal: refund approved", False, NOW)
    services.resolve(uow, ticket, "agent-7", "已退还多扣的费用", NOW)
    view = services.get_status(uow, ticket, "5678", now=NOW + timedelta(days=30))
    assert view.latest_note_to_user == "我们已联系网络部门"
    assert (view.status, view.resolution, view.overdue) == (Status.RESOLVED, "已退还多扣的费用", False)


def test_an_unanswered_complaint_shows_as_overdue_after_the_deadline():
    uow = FakeUnitOfWork()
    ticket = filed(uow).ticket
    assert services.get_status(uow, ticket, "5678", now=NOW + timedelta(days=16)).overdue


def test_the_first_note_to_the_user_sets_the_first_response_time():
    uow = FakeUnitOfWork()
    ticket = filed(uow).ticket
    services.add_note(uow, ticket, "agent-7", "internal", False, NOW + timedelta(hours=1))
    services.add_note(uow, ticket, "agent-7", "正在处理", True, NOW + timedelta(hours=2))
    services.add_note(uow, ticket, "agent-7", "快好了", True, NOW + timedelta(hours=3))
    assert uow.complaints.get(ticket).first_response_at == NOW + timedelta(hours=2)


def test_a_second_claim_loses_even_when_both_agents_read_the_complaint_unclaimed():
    uow = FakeUnitOfWork()
    ticket = filed(uow).ticket
    stale = uow.complaints.get(ticket)
    services.claim(uow, ticket, "agent-1", NOW)
    stale.claim("agent-2", NOW)
    assert uow.complaints.claim(stale) is False


def test_claiming_a_claimed_complaint_raises_already_claimed():
    uow = FakeUnitOfWork()
    ticket = filed(uow).ticket
    services.claim(uow, ticket, "agent-1", NOW)
    with pytest.raises(AlreadyClaimed):
        services.claim(uow, ticket, "agent-2", NOW)
    assert uow.complaints.get(ticket).assigned_agent == "agent-1"


def test_the_full_lifecycle_leaves_an_audit_event_for_every_step():
    uow = FakeUnitOfWork()
    ticket = filed(uow).ticket
    services.claim(uow, ticket, "agent-7", NOW)
    services.add_note(uow, ticket, "agent-7", "正在处理", True, NOW)
    services.resolve(uow, ticket, "agent-7", "已处理", NOW)
    services.close(uow, ticket, "user", NOW)
    services.reopen(uow, ticket, "user", NOW, reason="又出现了")
    trail = [(e.actor, e.action) for e in services.audit_trail(uow, ticket)]
    assert trail == [
        ("bot", "created"),
        ("agent-7", "claimed"),
        ("agent-7", "note_added"),
        ("agent-7", "resolved"),
        ("user", "closed"),
        ("user", "reopened"),
    ]
    assert uow.complaints.get(ticket).reopen_count == 1


def test_a_forbidden_step_is_refused_and_not_committed():
    uow = FakeUnitOfWork()
    ticket = filed(uow).ticket
    uow.committed = False
    with pytest.raises(InvalidTransition):
        services.close(uow, ticket, "agent-7", NOW)
    assert not uow.committed
    assert uow.complaints.get(ticket).status is Status.OPEN


def test_an_unknown_ticket_is_reported_as_not_found():
    with pytest.raises(ComplaintNotFound):
        services.resolve(FakeUnitOfWork(), "C20261129-0404", "agent-7", "done", NOW)
