"""Complaints confirmed while the database is down wait in the spool and are filed when it is back."""

import logging
import stat
from datetime import timedelta

import pytest

from bot.complaints import services, views
from bot.complaints.errors import ConsentRequired, StoreUnavailable
from bot.complaints.spool import ComplaintSpool, SpoolCipher, submit_or_spool
from bot.complaints.views import ComplaintQuery, Sort
from tests.factories import NOW, a_draft


class Database:
    """Units of work on the real database while `up`, on an unreachable server while not: a server that stops."""

    def __init__(self, real, unreachable):
        self.real, self.unreachable, self.up = real, unreachable, True

    def __call__(self):
        return self.real() if self.up else self.unreachable()


KEY = SpoolCipher.new_key()


@pytest.fixture
def spool(tmp_path):
    return ComplaintSpool(tmp_path / "spool", SpoolCipher([KEY]))


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
    (spool.directory / "broken.json").write_text("{not json", encoding="utf-8")  # a plain file of an earlier release
    assert len(spool.drain(uow_factory)) == 1
    assert [p.name for p in spool.directory.iterdir()] == ["broken.rejected"]


def test_spooling_logs_only_a_masked_phone_number(unreachable_uow_factory, spool, caplog):
    with caplog.at_level(logging.INFO, logger="bot.complaints"):
        submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "k")
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


def test_a_spool_file_keeps_nothing_readable_of_the_complaint_and_only_its_owner_may_open_it(
    unreachable_uow_factory, spool
):
    draft = a_draft()
    submit_or_spool(unreachable_uow_factory, spool, draft, NOW, "key-1")
    [file] = spool.directory.iterdir()
    raw = file.read_bytes()
    for secret in ("13812345678", "138 1234 5678", draft.description, "key-1"):
        assert secret.encode("utf-8") not in raw
    assert stat.S_IMODE(spool.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_a_spool_directory_made_by_someone_else_is_closed_to_others_before_anything_is_written(
    unreachable_uow_factory, tmp_path
):
    directory = tmp_path / "spool"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    submit_or_spool(unreachable_uow_factory, ComplaintSpool(directory, SpoolCipher([KEY])), a_draft(), NOW, "k")
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_the_spool_files_the_full_number_after_decrypting_it(unreachable_uow_factory, uow_factory, spool):
    submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "key-1")
    [ticket] = spool.drain(uow_factory)
    assert views.owned_complaint(uow_factory(), ticket, "5678").contact_phone == "13812345678"


def test_a_file_sealed_with_an_old_key_is_still_filed_after_the_key_is_rotated(
    unreachable_uow_factory, uow_factory, tmp_path
):
    new = SpoolCipher.new_key()
    submit_or_spool(unreachable_uow_factory, ComplaintSpool(tmp_path / "s", SpoolCipher([KEY])), a_draft(), NOW, "k")
    rotated = ComplaintSpool(tmp_path / "s", SpoolCipher([new, KEY]))
    assert rotated.drain(uow_factory) == ["C20261129-0001"]


def test_a_file_that_does_not_decrypt_with_the_keys_is_set_aside_not_filed(
    unreachable_uow_factory, uow_factory, tmp_path
):
    submit_or_spool(unreachable_uow_factory, ComplaintSpool(tmp_path / "s", SpoolCipher([KEY])), a_draft(), NOW, "k")
    stranger = ComplaintSpool(tmp_path / "s", SpoolCipher([SpoolCipher.new_key()]))
    assert stranger.drain(uow_factory) == []
    assert stored(uow_factory) == []
    assert [p.suffix for p in stranger.directory.iterdir()] == [".rejected"]  # kept for a person with the key


def test_a_plain_file_of_an_earlier_release_is_filed_and_then_deleted(unreachable_uow_factory, uow_factory, tmp_path):
    spool = ComplaintSpool(tmp_path / "s", SpoolCipher([KEY]))
    submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "k")
    [sealed] = spool.directory.iterdir()
    plain = sealed.with_suffix(".json")
    plain.write_bytes(spool.cipher.open(sealed.read_bytes()))
    sealed.unlink()
    assert spool.drain(uow_factory) == ["C20261129-0001"]
    assert list(spool.directory.iterdir()) == []


def test_filing_from_the_spool_logs_only_a_masked_phone_number(unreachable_uow_factory, uow_factory, spool, caplog):
    submit_or_spool(unreachable_uow_factory, spool, a_draft(), NOW, "k")
    with caplog.at_level(logging.DEBUG):
        spool.drain(uow_factory)
        (spool.directory / "broken.spool").write_bytes(b"not a token")
        spool.drain(uow_factory)
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
    assert "broken.spool set aside" in caplog.text
