"""A filed complaint's "new complaint" notification is written to the outbox in the complaint's own transaction,
whoever files it: the action server, the desk, or the spool's drain command. One per webhook; none without the
complaint."""

import uuid

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from actions import wiring
from actions.complaints import ActionSubmitComplaint
from bot.cli import main
from bot.complaints.model import Complaint
from bot.complaints.orm import ComplaintRow
from bot.complaints.spool import ComplaintSpool
from bot.desk.bootstrap import bootstrap
from bot.notifications.orm import OutboxRow
from bot.notifications.outbox import new_rows
from bot.notifications.publisher import notifying_uow_factory
from bot.settings import get_settings
from tests.conftest import load_domain, make_tracker
from tests.factories import FILLED_COMPLAINT_FORM, NOW, a_draft, file_complaint
from tests.integration.desk_fixtures import desk_engine, desk_sessions, desk_settings, tracker_url

__all__ = ["desk_engine", "desk_sessions", "tracker_url"]  # fixtures, imported for pytest

HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1"


@pytest.fixture
def settings(database_url, tracker_url, desk_engine, tmp_path):
    """One webhook configured; the complaint and outbox tables empty."""
    return desk_settings(database_url, tracker_url, notify_webhook_urls=[HOOK], spool_dir=tmp_path / "spool")


@pytest.fixture
def environment(settings, monkeypatch):
    """The same settings in the environment, where the action server and the command line read them."""
    values = {"DATABASE_URL": settings.database_url, "SPOOL_DIR": str(settings.spool_dir), "NOTIFY_WEBHOOK_URLS": HOOK}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def notifications(sessions):
    with sessions() as session:
        return [(r.kind, r.ticket, r.url) for r in session.scalars(select(OutboxRow).order_by(OutboxRow.id))]


def tickets(sessions):
    with sessions() as session:
        return list(session.scalars(select(ComplaintRow.ticket).order_by(ComplaintRow.id)))


async def test_a_complaint_filed_by_the_action_server_enqueues_one_notification(environment, desk_sessions):
    wiring.use(wiring.from_settings())  # the action server's own wiring
    try:
        tracker = make_tracker(slots=FILLED_COMPLAINT_FORM, sender_id=f"user-{uuid.uuid4().hex[:10]}")
        await ActionSubmitComplaint().run(CollectingDispatcher(), tracker, load_domain())
    finally:
        wiring.use(None)
    [ticket] = tickets(desk_sessions)
    assert notifications(desk_sessions) == [("created", ticket, HOOK)]


def test_a_complaint_filed_through_the_desk_enqueues_one_notification(settings, desk_sessions):
    desk = bootstrap(settings)
    try:
        ticket = file_complaint(desk.uow()).ticket
        file_complaint(desk.uow())  # the same complaint again (same idempotency key): nothing new
    finally:
        desk.close()
    assert tickets(desk_sessions) == [ticket]
    assert notifications(desk_sessions) == [("created", ticket, HOOK)]


def test_complaints_drained_from_the_spool_by_the_command_enqueue_one_notification_each(
    settings, environment, desk_sessions, capsys
):
    spool = ComplaintSpool(settings.spool_dir)
    spool.put(a_draft(), NOW, "spooled-1")
    spool.put(a_draft(sender_id="user-2"), NOW, "spooled-2")
    assert main(["drain-spool"]) == 0
    assert "filed 2 queued complaint(s)" in capsys.readouterr().out
    assert notifications(desk_sessions) == [("created", ticket, HOOK) for ticket in tickets(desk_sessions)]
    assert len(tickets(desk_sessions)) == 2


def test_a_complaint_that_is_rolled_back_enqueues_no_notification(settings, desk_sessions):
    with notifying_uow_factory(settings)() as uow:
        ticket = uow.tickets.next_ticket(NOW)
        uow.complaints.add(Complaint.open(a_draft(), ticket=ticket, now=NOW, idempotency_key="k"))
        assert uow.session.scalar(select(ComplaintRow.ticket)) == ticket  # written, not committed
    assert tickets(desk_sessions) == [] and notifications(desk_sessions) == []


def test_a_complaint_whose_notification_cannot_be_written_is_not_stored_either(settings, desk_sessions):
    with desk_sessions() as session:  # the outbox already holds a row under the notification's key
        session.add_all(new_rows("created", "C20261129-0001", [(HOOK, {"text": "elsewhere"})], NOW))
        session.commit()
    with pytest.raises(sa_exc.IntegrityError):
        file_complaint(notifying_uow_factory(settings)())
    assert tickets(desk_sessions) == []
    assert notifications(desk_sessions) == [("created", "C20261129-0001", HOOK)]
