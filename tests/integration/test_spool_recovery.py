"""Complaints confirmed while the database is down wait in the spool and are filed when it is back."""

import logging
import stat
from datetime import timedelta

import pytest

from bot.complaints import services, views
from bot.complaints.errors import ConsentRequired, StoreUnavailable
from bot.complaints.spool import ComplaintSpool, submit_or_spool
from bot.complaints.views import ComplaintQuery, Sort
from tests.factories import NOW, a_draft


class Database:
    """Units of work on the real database while `up`, on an unreachable server while not: a server that stops."""

    def __init__(self, real, unreachable):
        self.real, self.unreachable, self.up = real, unreachable, True

    def __call__(self):
        return self.real() if self.up else self.unreachable()


@pytest.fixture
def spool(tmp_path):
    return ComplaintSpool(tmp_path / "spool")


def stored(uow_factory):
    return views.search(uow_factory(), ComplaintQuery(sort=Sort.NEWEST), NOW).items


def test_an_unreachable_database_is_reported_as_store_unavailable_without_personal_data(unreachable_uow_factory):
    with pytest.raises(StoreUnavailable) as unavailable:
        services.open_complaint(unreachable_uow_factory(), a_draft(), NOW, "k")
    assert "13812345678" not in str(unavailable.value)


def test_a_complaint_confirmed_while_the_database_is_unreachable_is_queued_in_the_spool(unreachable_uow_factory, spool):
    complaint, queued = submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "key-1")
    assert (complaint, queued) == (None, True)
    [file] = spool.directory.iterdir()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # it holds personal data
    assert [entry.idempotency_key for entry in spool.pending()] == ["key-1"]


def test_queued_complaints_are_filed_later_with_their_original_time(unreachable_uow_factory, uow_factory, spool):
    submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "key-1")
    submit_or_spool(unreachable_uow_factory, spool, a_draft(category="speed"), NOW + timedelta(minutes=5), "key-2")
    assert spool.drain(uow_factory) == ["C20261129-0001", "C20261129-0002"]
    first, second = sorted(stored(uow_factory), key=lambda c: c.ticket)
    assert (first.created_at, first.deadline) == (NOW, NOW + timedelta(days=15))
    assert (second.created_at, second.category) == (NOW + timedelta(minutes=5), "speed")
    assert first.transcript == a_draft().transcript
    assert spool.pending() == [] and list(spool.directory.iterdir()) == []


def test_a_duplicate_spool_submission_yields_one_record(unreachable_uow_factory, uow_factory, spool):
    for _ in range(2):
        submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "double-click")
    assert len(list(spool.directory.iterdir())) == 1
    spool.drain(uow_factory)
    assert len(stored(uow_factory)) == 1


def test_a_spooled_complaint_that_was_also_filed_is_not_filed_twice(unreachable_uow_factory, uow_factory, spool):
    filed, queued = submit_or_spool(uow_factory, spool, a_draft(), NOW, "retried")
    submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "retried")
    assert not queued
    assert spool.drain(uow_factory) == [filed.ticket]
    assert len(stored(uow_factory)) == 1


def test_the_database_stopping_in_the_middle_loses_nothing(unreachable_uow_factory, uow_factory, spool):
    database = Database(uow_factory, unreachable_uow_factory)
    before, _ = submit_or_spool(database, spool, a_draft(), NOW, "before")
    database.up = False
    _, queued = submit_or_spool(database, spool, a_draft(), NOW + timedelta(minutes=1), "during")
    assert queued and spool.drain(database) == []  # still down: the file stays
    assert len(spool.pending()) == 1
    database.up = True
    [during] = spool.drain(database)
    tickets = {c.ticket: c.created_at for c in stored(uow_factory)}
    assert tickets == {before.ticket: NOW, during: NOW + timedelta(minutes=1)}


def test_an_invalid_complaint_is_refused_rather_than_spooled(unreachable_uow_factory, spool):
    with pytest.raises(ConsentRequired):
        submit_or_spool(unreachable_uow_factory, spool, a_draft(consent_given_at=None), NOW, "k")
    assert spool.pending() == []


def test_an_unreadable_spool_file_is_set_aside_for_a_person(uow_factory, spool, unreachable_uow_factory):
    submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "good")
    (spool.directory / "broken.json").write_text("{not json", encoding="utf-8")
    assert len(spool.drain(uow_factory)) == 1
    assert [p.name for p in spool.directory.iterdir()] == ["broken.rejected"]


def test_spooling_logs_only_a_masked_phone_number(unreachable_uow_factory, spool, caplog):
    with caplog.at_level(logging.INFO, logger="bot.complaints"):
        submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "k")
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
