"""The live hand-off's services on real databases (SQLite and PostgreSQL): queueing, accepting
(two agents at once: exactly one wins), who may write, ending, the timeout, the rating."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from bot.handoff import services
from bot.handoff.errors import (
    AlreadyTaken,
    AtCapacity,
    InvalidRating,
    NoAgentAvailable,
    NotHoldingChat,
    OutsideOpeningHours,
)
from bot.handoff.model import ChatStatus, PresenceStatus
from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork
from common.hours import OpeningHours
from tests.integration.desk_fixtures import run_together

HANDOFF_TABLES = ("handoff_audit", "handoff_messages", "handoff_chats", "handoff_agents")
# 10:00 Beijing time: within 09:00-21:00.
OPEN = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
POLICY = services.Policy(OpeningHours(time(9), time(21)), timedelta(seconds=180))


@pytest.fixture
def handoff_uow(engine: Engine) -> Iterator[Callable[[], SqlAlchemyUnitOfWork]]:
    with engine.begin() as connection:
        for table in HANDOFF_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    yield lambda: SqlAlchemyUnitOfWork(factory)


def request(uow: Callable[[], SqlAlchemyUnitOfWork], conversation: str, now: datetime = OPEN) -> services.Queued:
    return services.request_live_chat(
        uow(),
        conversation_id=conversation,
        channel="socketio",
        language="en",
        context={"intents": ["request_human"]},
        now=now,
        policy=POLICY,
    )


def available(uow: Callable[[], SqlAlchemyUnitOfWork], *agents: str, max_chats: int = 3) -> None:
    for agent in agents:
        services.set_presence(uow(), agent=agent, status=PresenceStatus.AVAILABLE, max_chats=max_chats, now=OPEN)


def test_a_request_with_an_agent_available_is_queued_with_its_place_and_never_duplicated(handoff_uow):
    available(handoff_uow, "alice")
    first, second = request(handoff_uow, "u1"), request(handoff_uow, "u2")
    assert (first.position, second.position) == (1, 2)
    assert request(handoff_uow, "u2").chat_id == second.chat_id
    view = services.live_chat_of(handoff_uow(), "u2")
    assert view is not None and view.chat.status is ChatStatus.WAITING and view.position == 2


def test_outside_opening_hours_or_with_nobody_available_the_request_is_refused_and_recorded(handoff_uow):
    with pytest.raises(NoAgentAvailable):
        request(handoff_uow, "u1")
    available(handoff_uow, "alice")
    with pytest.raises(OutsideOpeningHours):
        request(handoff_uow, "u2", now=OPEN + timedelta(hours=12))  # 22:00 Beijing time
    with handoff_uow() as uow:
        statuses = [c.status for c in uow.chats.chats_requested_between(OPEN, OPEN + timedelta(days=1))]
    assert statuses == [ChatStatus.NO_AGENT, ChatStatus.CLOSED_HOURS]


def test_an_agent_whose_console_went_quiet_does_not_count_as_available(handoff_uow):
    available(handoff_uow, "alice")
    with pytest.raises(NoAgentAvailable):
        request(handoff_uow, "u1", now=OPEN + services.PRESENCE_TTL + timedelta(seconds=1))


def test_of_two_agents_accepting_at_once_exactly_one_wins(handoff_uow):
    available(handoff_uow, "alice", "bob", max_chats=10)
    for round_ in range(5):
        chat_id = request(handoff_uow, f"race-{round_}").chat_id

        def accept(i: int, chat_id: int = chat_id) -> object:
            agent = ("alice", "bob")[i]
            return services.accept(handoff_uow(), chat_id=chat_id, agent=agent, label=f"No. {i}", now=OPEN)

        results = run_together(2, accept)
        losers = [r for r in results if isinstance(r, AlreadyTaken)]
        winners = [r for r in results if not isinstance(r, Exception)]
        assert (len(winners), len(losers)) == (1, 1), results
        detail = services.chat_detail(handoff_uow(), chat_id)
        assert (detail.chat.status, detail.chat.agent) == (ChatStatus.ACTIVE, winners[0].agent)
        with handoff_uow() as uow:
            assert [(a.actor, a.action) for a in uow.chats.audit_trail(chat_id)] == [(winners[0].agent, "accept")]


def test_only_the_holding_agent_writes_and_every_message_is_audited(handoff_uow):
    available(handoff_uow, "alice", "bob")
    chat_id = request(handoff_uow, "u1").chat_id
    services.accept(handoff_uow(), chat_id=chat_id, agent="alice", label="Agent 07", now=OPEN)
    with pytest.raises(NotHoldingChat):
        services.post_agent_message(handoff_uow(), chat_id=chat_id, agent="bob", text="hi", now=OPEN)
    _, message = services.post_agent_message(
        handoff_uow(), chat_id=chat_id, agent="alice", text="Hello, I am here", now=OPEN, faq_topic="roaming"
    )
    with handoff_uow() as uow:
        trail = [(a.actor, a.action, a.detail) for a in uow.chats.audit_trail(chat_id)]
    assert trail[-1] == ("alice", "message", {"message_id": message.id, "length": 16, "faq_topic": "roaming"})


def test_an_agent_at_their_maximum_cannot_accept_another_chat(handoff_uow):
    available(handoff_uow, "alice", max_chats=1)
    first, second = request(handoff_uow, "u1"), request(handoff_uow, "u2")
    services.accept(handoff_uow(), chat_id=first.chat_id, agent="alice", label="", now=OPEN)
    with pytest.raises(AtCapacity):
        services.accept(handoff_uow(), chat_id=second.chat_id, agent="alice", label="", now=OPEN)


def test_user_messages_of_an_open_chat_are_kept_once_whatever_the_redeliveries(handoff_uow):
    available(handoff_uow, "alice")
    request(handoff_uow, "u1")
    for _ in range(2):
        services.record_user_message(handoff_uow(), conversation_id="u1", text="still there?", at=OPEN, event_key="k1")
    assert services.record_user_message(handoff_uow(), conversation_id="u9", text="x", at=OPEN, event_key="k2") is None
    view = services.live_chat_of(handoff_uow(), "u1")
    assert view is not None and [(m.author, m.text) for m in view.messages] == [("user", "still there?")]


def test_a_chat_nobody_accepts_in_time_times_out_and_an_accepted_one_does_not(handoff_uow):
    available(handoff_uow, "alice")
    late, taken = request(handoff_uow, "u1"), request(handoff_uow, "u2")
    services.accept(handoff_uow(), chat_id=taken.chat_id, agent="alice", label="", now=OPEN)
    assert (
        services.expire_waiting(handoff_uow(), now=OPEN + timedelta(seconds=179), timeout=POLICY.accept_timeout) == []
    )
    expired = services.expire_waiting(handoff_uow(), now=OPEN + timedelta(seconds=180), timeout=POLICY.accept_timeout)
    assert [c.id for c in expired] == [late.chat_id]
    assert services.chat_detail(handoff_uow(), taken.chat_id).chat.status is ChatStatus.ACTIVE


def test_the_user_rates_the_chat_the_agent_ended(handoff_uow):
    available(handoff_uow, "alice")
    chat_id = request(handoff_uow, "u1").chat_id
    with pytest.raises(InvalidRating):
        services.record_rating(handoff_uow(), conversation_id="u1", rating=5, now=OPEN)
    services.accept(handoff_uow(), chat_id=chat_id, agent="alice", label="", now=OPEN)
    services.end_chat(handoff_uow(), chat_id=chat_id, agent="alice", now=OPEN + timedelta(minutes=4))
    with pytest.raises(InvalidRating):
        services.record_rating(handoff_uow(), conversation_id="u1", rating=6, now=OPEN)
    rated = services.record_rating(handoff_uow(), conversation_id="u1", rating=4, now=OPEN + timedelta(minutes=5))
    assert (rated.rating, rated.ended_by, rated.agent) == (4, "agent", "alice")
    assert services.live_chat_of(handoff_uow(), "u1") is None


def test_an_agent_who_chose_no_label_is_shown_as_a_number_not_by_name(handoff_uow):
    available(handoff_uow, "zhang.wei")
    chat_id = request(handoff_uow, "u1").chat_id
    chat = services.accept(handoff_uow(), chat_id=chat_id, agent="zhang.wei", label="  ", now=OPEN)
    assert chat.agent_label == services.default_label("zhang.wei") and chat.agent_label.isdigit()
