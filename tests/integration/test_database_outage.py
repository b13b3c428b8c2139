"""PostgreSQL goes away while a user confirms a complaint; the record arrives once it is back.

A TCP proxy stands between the bot and PostgreSQL: stopping it is, for the bot, the
database going down (connections refused, open ones cut).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import wiring
from actions.complaints import ActionSubmitComplaint
from bot.complaints.orm import ComplaintRow
from bot.complaints.spool import ComplaintSpool
from bot.complaints.unit_of_work import sqlalchemy_uow_factory
from bot.db import session_factory
from tests.conftest import load_domain, make_tracker
from tests.integration.conftest import migrate, throwaway_postgres_database
from tests.tcp_proxy import TcpProxy


@pytest.fixture
def proxied_database() -> Iterator[tuple[str, TcpProxy]]:
    with throwaway_postgres_database() as url:
        migrate(url)
        proxy = TcpProxy()
        proxy.start()
        yield url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"), proxy
        proxy.stop()


FILLED = {
    "complaint_category": "speed",
    "complaint_description": "5G图标在但网速很慢",
    "complaint_phone": "13712345678",
    "complaint_operator": "china_unicom",
    "complaint_place": "上海市浦东新区",
    "complaint_consent": True,
    "complaint_confirmed": True,
}


async def submit(sender: str) -> str:
    dispatcher = CollectingDispatcher()
    events = [{"event": "active_loop", "name": "complaint_form", "timestamp": time.time()}]
    tracker = make_tracker(slots=FILLED, events=events, sender_id=sender)
    await ActionSubmitComplaint().run(dispatcher, tracker, load_domain())
    return dispatcher.messages[0]["response"]


@pytest.fixture
def bot_on(proxied_database, tmp_path):
    """The action server's dependencies wired to the proxied database; yields the proxy that cuts it off."""
    url, proxy = proxied_database
    wiring.use(
        wiring.Dependencies(
            uow_factory=sqlalchemy_uow_factory(url),
            spool=ComplaintSpool(tmp_path / "spool"),
            catalog_session=session_factory(url),
        )
    )
    yield proxy
    wiring.use(None)


async def test_a_complaint_confirmed_while_the_database_is_down_is_filed_when_it_is_back(bot_on):
    proxy = bot_on
    assert await submit(f"before-{uuid.uuid4().hex[:6]}") == "utter_complaint_filed"
    proxy.stop()  # the database goes away in the middle of the conversation
    during = f"during-{uuid.uuid4().hex[:6]}"
    confirmed_at = datetime.now(timezone.utc)
    assert await submit(during) == "utter_complaint_queued"
    proxy.start()  # and comes back
    assert await submit(f"after-{uuid.uuid4().hex[:6]}") == "utter_complaint_filed"
    with wiring.current().uow_factory() as uow:
        row = uow.session.scalars(select(ComplaintRow).where(ComplaintRow.sender_id == during)).one()
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=timezone.utc)
    assert abs((created - confirmed_at).total_seconds()) < 5, "filed with the time the user confirmed"
    assert wiring.current().spool.pending() == []
