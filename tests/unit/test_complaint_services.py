"""Complaint services on an in-memory unit of work (the database is tested in tests/integration)."""

import copy
import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.complaints import services, views
from bot.complaints.errors import (
    AlreadyClaimed,
    ComplaintNotFound,
    ConsentRequired,
    DuplicateComplaint,
    InvalidPhone,
    InvalidTransition,
)
from bot.complaints.model import NewEvent, Status
from bot.complaints.store import AbstractComplaintRepository
from bot.complaints.ticket import format_ticket, ticket_day
from bot.complaints.unit_of_work import AbstractUnitOfWork
from tests.factories import NOW, a_draft, file_complaint


class FakeRepository(AbstractComplaintRepository):
    """Keeps copies, as a database would, so a caller's unsaved changes never leak in."""

    def __init__(self):
        super().__init__()
        self.stored = {}
        self.events = []

    def add(self, complaint):
        taken = {c.idempotency_key for c in self.stored.values()}
        if complaint.ticket in self.stored or complaint.idempotency_key in taken:
            raise DuplicateComplaint(complaint.ticket)
        self._store(complaint)

    def get(self, ticket):
        return copy.deepcopy(self.stored.get(ticket))

    def get_by_idempotency_key(self, key):
        found = [c for c in self.stored.values() if c.idempotency_key == key]
        return copy.deepcopy(found[0]) if found else None

    def save(self, complaint):
        self._store(complaint)

    def claim(self, complaint):
        if self.stored[complaint.ticket].assigned_agent is not None:
            return False
        self._store(complaint)
        return True

    def audit_trail(self, ticket):
        return [event for key, event in self.events if key == ticket]

    def _store(self, complaint):
        self.events += [(complaint.ticket, event) for event in complaint.events]
        self.new_events += [NewEvent(copy.deepcopy(complaint), event) for event in complaint.events]
        complaint.events.clear()
        self.stored[complaint.ticket] = copy.deepcopy(complaint)


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
        self.published = []

    def commit(self):
        self.published += self.collect_new_events()
        self.committed = True

    def rollback(self):
        pass


def test_opening_a_complaint_stores_it_with_a_ticket_a_deadline_and_commits():
    uow = FakeUnitOfWork()
    complaint = file_complaint(uow)
    assert complaint.ticket == "C20261129-0001"
    assert complaint.deadline == NOW + timedelta(days=15)
    assert uow.committed
    assert uow.complaints.get("C20261129-0001").contact_phone == "13812345678"


def test_the_same_idempotency_key_returns_the_existing_complaint_instead_of_a_new_one():
    uow = FakeUnitOfWork()
    first = file_complaint(uow, key="same")
    again = file_complaint(uow, key="same")
    assert again.ticket == first.ticket
    assert len(uow.complaints.stored) == 1


def test_a_different_key_files_a_second_complaint_with_the_next_ticket():
    uow = FakeUnitOfWork()
    assert [file_complaint(uow, key=key).ticket for key in ("a", "b")] == ["C20261129-0001", "C20261129-0002"]


def test_a_ticket_taken_meanwhile_is_retried_with_the_next_number():
    uow = FakeUnitOfWork()
    uow.complaints.add(replace(file_complaint(FakeUnitOfWork(), key="elsewhere"), events=[]))  # holds -0001 already
    assert file_complaint(uow, key="mine").ticket == "C20261129-0002"


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
    complaint = file_complaint(uow)
    [event] = services.audit_trail(uow, complaint.ticket)
    assert (event.actor, event.action, event.at) == ("bot", "created", NOW)


def test_each_stored_event_is_handed_to_the_publisher_once_when_the_unit_of_work_commits():
    uow = FakeUnitOfWork()
    complaint = file_complaint(uow)
    services.claim(uow, complaint.ticket, "agent-7", NOW)
    assert [(new.complaint.ticket, new.event.action) for new in uow.published] == [
        (complaint.ticket, "created"),
        (complaint.ticket, "claimed"),
    ]
    assert uow.collect_new_events() == []


def test_the_log_never_contains_the_full_phone_number(caplog):
    with caplog.at_level(logging.INFO, logger="bot.complaints"):
        file_complaint(FakeUnitOfWork())
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text


def test_the_owner_sees_the_status_with_the_last_four_digits():
    uow = FakeUnitOfWork()
    complaint = file_complaint(uow)
    view = views.status_of(uow, complaint.ticket.lower(), "5678", NOW)
    assert (view.ticket, view.status, view.overdue, view.deadline) == (
        complaint.ticket,
        Status.OPEN,
        False,
        complaint.deadline,
    )


def test_wrong_digits_and_an_unknown_ticket_both_give_nothing_away():
    uow = FakeUnitOfWork()
    complaint = file_complaint(uow)
    assert views.status_of(uow, complaint.ticket, "1234", NOW) is None
    assert views.status_of(uow, "C20261129-9999", "5678", NOW) is None
    assert views.status_of(uow, "not a ticket", "5678", NOW) is None
    assert views.status_of(uow, complaint.ticket, "56", NOW) is None


def test_the_status_shows_the_latest_note_to_the_user_and_the_resolution():
    uow = FakeUnitOfWork()
    ticket = file_complaint(uow).ticket
    services.claim(uow, ticket, "agent-7", NOW)
    services.add_note(uow, ticket, "agent-7", "我们已联系网络部门", True, NOW)
    services.add_note(uow, ticket, "agent-7", "internal: refund approved", False, NOW)
    services.resolve(uow, ticket, "agent-7", "已退还多扣的费用", NOW)
    view = views.status_of(uow, ticket, "5678", NOW + timedelta(days=30))
    assert view.latest_note_to_user == "我们已联系网络部门"
    assert (view.status, view.resolution, view.overdue) == (Status.RESOLVED, "已退还多扣的费用", False)


def test_an_unanswered_complaint_shows_as_overdue_after_the_deadline():
    uow = FakeUnitOfWork()
    ticket = file_complaint(uow).ticket
    assert views.status_of(uow, ticket, "5678", NOW + timedelta(days=16)).overdue


def test_the_first_note_to_the_user_sets_the_first_response_time():
    uow = FakeUnitOfWork()
    ticket = file_complaint(uow).ticket
    services.add_note(uow, ticket, "agent-7", "internal", False, NOW + timedelta(hours=1))
    services.add_note(uow, ticket, "agent-7", "正在处理", True, NOW + timedelta(hours=2))
    services.add_note(uow, ticket, "agent-7", "快好了", True, NOW + timedelta(hours=3))
    assert uow.complaints.get(ticket).first_response_at == NOW + timedelta(hours=2)


def test_a_second_claim_loses_even_when_both_agents_read_the_complaint_unclaimed():
    uow = FakeUnitOfWork()
    ticket = file_complaint(uow).ticket
    stale = uow.complaints.get(ticket)
    services.claim(uow, ticket, "agent-1", NOW)
    stale.claim("agent-2", NOW)
    assert uow.complaints.claim(stale) is False


def test_claiming_a_claimed_complaint_raises_already_claimed():
    uow = FakeUnitOfWork()
    ticket = file_complaint(uow).ticket
    services.claim(uow, ticket, "agent-1", NOW)
    with pytest.raises(AlreadyClaimed):
        services.claim(uow, ticket, "agent-2", NOW)
    assert uow.complaints.get(ticket).assigned_agent == "agent-1"


def test_the_full_lifecycle_leaves_an_audit_event_for_every_step():
    uow = FakeUnitOfWork()
    ticket = file_complaint(uow).ticket
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
    ticket = file_complaint(uow).ticket
    uow.committed = False
    with pytest.raises(InvalidTransition):
        services.close(uow, ticket, "agent-7", NOW)
    assert not uow.committed
    assert uow.complaints.get(ticket).status is Status.OPEN


def test_an_unknown_ticket_is_reported_as_not_found():
    with pytest.raises(ComplaintNotFound):
        services.resolve(FakeUnitOfWork(), "C20261129-0404", "agent-7", "done", NOW)
