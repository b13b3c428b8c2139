"""The complaint store on real databases (SQLite and PostgreSQL), migrated with Alembic."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, inspect

from bot.complaints import services, views
from bot.complaints.errors import AlreadyClaimed, ConcurrentUpdate
from bot.complaints.model import Complaint, RegulatoryClass, Status
from bot.complaints.views import ComplaintQuery, Sort
from bot.db import Base
from tests.factories import NOW, a_draft, file_complaint
from tests.integration.conftest import COMPLAINT_TABLES, downgrade, migrate


def run_together(count, work):
    """Runs work(i) in `count` threads released at the same moment; returns results or exceptions."""
    barrier = threading.Barrier(count)

    def attempt(i):
        barrier.wait()
        try:
            return work(i)
        except Exception as error:  # noqa: BLE001 - the outcome under test
            return error

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def test_a_complaint_round_trips_with_its_transcript_notes_and_utc_times(uow_factory):
    filed = file_complaint(uow_factory(), a_draft())
    noted = services.add_note(uow_factory(), filed.ticket, "agent-7", "已转网络部门", True, NOW + timedelta(hours=1))
    with uow_factory() as uow:
        stored = uow.complaints.get(filed.ticket)
    assert stored == noted
    assert stored.transcript == a_draft().transcript
    assert stored.faq_topics_shown == ["coverage_weak_indoor"]
    assert (stored.description, stored.place, stored.handset) == (
        "家里5G信号很差，经常掉线",
        "广东省深圳市南山区",
        "Mate 60",
    )
    assert [(n.author, n.text, n.to_user) for n in stored.notes] == [("agent-7", "已转网络部门", True)]
    assert stored.created_at == NOW and stored.created_at.tzinfo == timezone.utc
    assert stored.deadline == NOW + timedelta(days=15)
    assert stored.first_response_at == NOW + timedelta(hours=1)
    assert stored.regulatory_class is RegulatoryClass.NETWORK_QUALITY


def test_the_unit_of_work_rolls_back_when_not_committed(uow_factory):
    with uow_factory() as uow:
        ticket = uow.tickets.next_ticket(NOW)
        uow.complaints.add(Complaint.open(a_draft(), ticket=ticket, now=NOW, idempotency_key="k"))
    with uow_factory() as uow:
        assert uow.complaints.get(ticket) is None
        assert uow.tickets.next_ticket(NOW) == ticket  # the number was given back too


def test_the_unit_of_work_rolls_back_on_an_error(uow_factory):
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.complaints.add(Complaint.open(a_draft(), ticket="C20261129-0001", now=NOW))
        raise RuntimeError("the action crashed")
    with uow_factory() as uow:
        assert uow.complaints.get("C20261129-0001") is None


def test_submitting_the_same_complaint_twice_creates_one_record(uow_factory):
    first = file_complaint(uow_factory(), a_draft(), key="double-click")
    second = file_complaint(uow_factory(), a_draft(), key="double-click")
    assert second.ticket == first.ticket
    assert views.search(uow_factory(), ComplaintQuery(), NOW).total == 1


def test_the_same_complaint_submitted_concurrently_creates_one_record(uow_factory):
    results = run_together(4, lambda _: file_complaint(uow_factory(), a_draft(), key="retried-webhook"))
    assert {complaint.ticket for complaint in results} == {"C20261129-0001"}
    assert views.search(uow_factory(), ComplaintQuery(), NOW).total == 1


def test_ticket_numbers_stay_unique_and_gapless_under_concurrent_creation(uow_factory):
    def file_three(thread):
        return [file_complaint(uow_factory(), a_draft(), key=f"t{thread}-{n}").ticket for n in range(3)]

    tickets = [ticket for batch in run_together(8, file_three) for ticket in batch]
    assert sorted(tickets) == [f"C20261129-{n:04d}" for n in range(1, 25)]


def test_ticket_sequences_restart_each_beijing_day(uow_factory):
    assert file_complaint(uow_factory(), a_draft(), key="a").ticket == "C20261129-0001"
    assert file_complaint(uow_factory(), a_draft(), key="b", at=NOW + timedelta(days=1)).ticket == "C20261130-0001"


def test_of_two_concurrent_claims_exactly_one_wins(uow_factory):
    for round_ in range(5):
        ticket = file_complaint(uow_factory(), a_draft(), key=f"claim-{round_}").ticket
        outcomes = run_together(2, lambda i, t=ticket: services.claim(uow_factory(), t, f"agent-{i}", NOW))
        winners = [o for o in outcomes if isinstance(o, Complaint)]
        assert len(winners) == 1 and [type(o) for o in outcomes if o not in winners] == [AlreadyClaimed]
        with uow_factory() as uow:
            assert uow.complaints.get(ticket).assigned_agent == winners[0].assigned_agent


def test_a_claim_based_on_a_stale_read_loses_in_the_database(uow_factory):
    ticket = file_complaint(uow_factory(), a_draft()).ticket
    with uow_factory() as slow:
        stale = slow.complaints.get(ticket)
        services.claim(uow_factory(), ticket, "agent-1", NOW)
        stale.claim("agent-2", NOW)
        assert slow.complaints.claim(stale) is False


def test_a_change_based_on_a_stale_read_cannot_undo_a_concurrent_resolution(uow_factory):
    ticket = file_complaint(uow_factory(), a_draft()).ticket
    services.claim(uow_factory(), ticket, "agent-1", NOW)
    with uow_factory() as slow:
        stale = slow.complaints.get(ticket)
        services.resolve(uow_factory(), ticket, "agent-1", "已处理", NOW + timedelta(hours=1))
        stale.add_note("agent-2", "正在处理", to_user=True, now=NOW + timedelta(hours=2))
        with pytest.raises(ConcurrentUpdate):
            slow.complaints.save(stale)
    with uow_factory() as uow:
        assert uow.complaints.get(ticket).status is Status.RESOLVED


def test_status_lookup_with_wrong_digits_and_with_an_unknown_ticket_return_the_same_none(uow_factory):
    ticket = file_complaint(uow_factory(), a_draft()).ticket
    assert views.status_of(uow_factory(), ticket, "0000", NOW) is None
    assert views.status_of(uow_factory(), "C20261129-9999", "5678", NOW) is None
    view = views.status_of(uow_factory(), ticket, "5678", NOW)
    assert (view.status, view.overdue) == (Status.OPEN, False)


@pytest.fixture
def varied(uow_factory):
    """Six complaints a day apart: categories, operators and places differ; one was answered."""
    specs = [
        ("coverage_signal", "china_mobile", "深圳", "地下室没有信号"),
        ("speed", "china_mobile", "深圳", "网速很慢"),
        ("billing", "china_unicom", "北京", "多扣了话费 100% 不对"),
        ("unauthorized_change", "china_telecom", "北京", "擅自开通业务"),
        ("handset", "china_unicom", None, "手机不显示5G"),
        ("other", "china_mobile", "上海", "营业厅态度差"),
    ]
    tickets = []
    for day, (category, operator, place, text) in enumerate(specs):
        draft = a_draft(category=category, operator=operator, place=place, description=text)
        tickets.append(file_complaint(uow_factory(), draft, key=f"v{day}", at=NOW + timedelta(days=day)).ticket)
    services.add_note(uow_factory(), tickets[0], "agent-7", "已派人检查", True, NOW + timedelta(days=1))
    return tickets


def tickets_of(uow_factory, now=NOW, **filters):
    return [c.ticket for c in views.search(uow_factory(), ComplaintQuery(sort=Sort.NEWEST, **filters), now).items]


def test_complaints_are_listed_newest_first_with_each_filter(uow_factory, varied):
    assert tickets_of(uow_factory) == varied[::-1]
    assert tickets_of(uow_factory, category="speed") == [varied[1]]
    assert tickets_of(uow_factory, regulatory_class=RegulatoryClass.BILLING_DISPUTE) == [varied[3], varied[2]]
    assert tickets_of(uow_factory, operator="china_unicom") == [varied[4], varied[2]]
    assert tickets_of(uow_factory, place="北京") == [varied[3], varied[2]]
    assert tickets_of(uow_factory, place="深") == [varied[1], varied[0]]  # part of the place
    assert tickets_of(uow_factory, status=Status.OPEN, category="other") == [varied[5]]
    assert tickets_of(uow_factory, status=Status.CLOSED) == []


def test_complaints_can_be_found_by_words_in_their_description(uow_factory, varied):
    assert tickets_of(uow_factory, text="网速") == [varied[1]]
    assert tickets_of(uow_factory, text="100%") == [varied[2]]  # % is a literal, not a wildcard
    assert tickets_of(uow_factory, text="上海") == [varied[5]]  # and in the place
    assert tickets_of(uow_factory, text=varied[3].lower()) == [varied[3]]  # or the ticket


def test_overdue_complaints_are_those_unanswered_past_their_deadline(uow_factory, varied):
    on_day_17 = NOW + timedelta(days=17, hours=1)  # past the deadlines of the first three
    assert tickets_of(uow_factory, now=on_day_17, overdue=True) == [varied[2], varied[1]]  # the first was answered
    assert tickets_of(uow_factory, now=on_day_17, overdue=False) == [varied[5], varied[4], varied[3], varied[0]]


def test_pages_of_complaints_carry_the_total_count(uow_factory, varied):
    page = views.search(uow_factory(), ComplaintQuery(sort=Sort.NEWEST, limit=4, offset=4), NOW)
    assert ([c.ticket for c in page.items], page.total) == (varied[1::-1], 6)
    page = views.search(uow_factory(), ComplaintQuery(operator="china_mobile", limit=2), NOW)
    assert (len(page.items), page.total) == (2, 3)


def test_every_step_is_recorded_in_the_audit_trail_with_who_and_when(uow_factory):
    ticket = file_complaint(uow_factory(), a_draft()).ticket
    hour = timedelta(hours=1)
    services.claim(uow_factory(), ticket, "agent-7", NOW + hour)
    services.add_note(uow_factory(), ticket, "agent-7", "正在处理", True, NOW + 2 * hour)
    services.resolve(uow_factory(), ticket, "agent-7", "已优化基站", NOW + 3 * hour)
    services.close(uow_factory(), ticket, "user", NOW + 4 * hour)
    services.reopen(uow_factory(), ticket, "user", NOW + 5 * hour, reason="又没信号了")
    trail = services.audit_trail(uow_factory(), ticket)
    assert [(e.actor, e.action, e.at) for e in trail] == [
        ("bot", "created", NOW),
        ("agent-7", "claimed", NOW + hour),
        ("agent-7", "note_added", NOW + 2 * hour),
        ("agent-7", "resolved", NOW + 3 * hour),
        ("user", "closed", NOW + 4 * hour),
        ("user", "reopened", NOW + 5 * hour),
    ]
    assert trail[-1].details == {
        "from": "closed",
        "to": "open",
        "reason": "又没信号了",
        "previous_resolution": "已优化基站",
    }


def test_the_migration_creates_exactly_what_the_models_declare(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if _concerns_complaints(d)]
    assert differences == []


def _concerns_complaints(difference):
    """Whether an autogenerate difference is about one of this migration's tables (others have their own)."""
    operation = difference[0] if isinstance(difference, list) else difference
    for part in operation[1:]:
        if isinstance(part, Table):
            return part.name in COMPLAINT_TABLES
        if isinstance(getattr(part, "table", None), Table):
            return part.table.name in COMPLAINT_TABLES
    return operation[2] in COMPLAINT_TABLES  # (operation, schema, table name, ...)


def test_the_migration_downgrades_to_nothing_and_upgrades_again(database_url, engine):
    engine.dispose()
    downgrade(database_url)
    assert not set(COMPLAINT_TABLES) & set(inspect(engine).get_table_names())
    engine.dispose()
    migrate(database_url)
    assert set(COMPLAINT_TABLES) <= set(inspect(engine).get_table_names())
