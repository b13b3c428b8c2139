"""The hand-off actions through a Tracker, on real databases (SQLite and PostgreSQL): a request for a
person is queued and pauses the bot, or is refused honestly with the complaint offer; the 1-5 rating
is read conservatively and stored with the chat that ended."""

from __future__ import annotations

import time as clock
import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta, timezone

import pytest
from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from actions import wiring
from actions.handoff import ActionRecordHandoffRating, ActionRequestLiveChat, ValidateHandoffRatingForm
from bot.complaints.spool import ComplaintSpool
from bot.complaints.unit_of_work import sqlalchemy_uow_factory
from bot.db import session_factory
from bot.handoff import services
from bot.handoff.model import ChatStatus, PresenceStatus
from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork
from common.hours import OpeningHours
from tests.conftest import load_domain, make_tracker

DOMAIN = load_domain()
HANDOFF_TABLES = ("handoff_audit", "handoff_messages", "handoff_chats", "handoff_agents")
ALWAYS_OPEN = services.Policy(OpeningHours(time(0), time(0)), timedelta(seconds=180))


def closed_now() -> services.Policy:
    """Opening hours that exclude the current time (Beijing time)."""
    beijing = datetime.now(timezone(timedelta(hours=8)))
    start = (beijing + timedelta(hours=2)).time().replace(minute=0, second=0, microsecond=0)
    end = (beijing + timedelta(hours=3)).time().replace(minute=0, second=0, microsecond=0)
    return services.Policy(OpeningHours(start, end), timedelta(seconds=180))


@pytest.fixture
def handoff_uow(engine: Engine):
    with engine.begin() as connection:
        for table in HANDOFF_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    return lambda: SqlAlchemyUnitOfWork(factory)


@pytest.fixture
def use_policy(database_url, tmp_path, handoff_uow) -> Iterator:
    def use(policy: services.Policy) -> None:
        wiring.use(
            wiring.Dependencies(
                uow_factory=sqlalchemy_uow_factory(database_url),
                spool=ComplaintSpool(tmp_path / "spool"),
                catalog_session=session_factory(database_url),
                handoff_uow_factory=handoff_uow,
                handoff_policy=policy,
            )
        )

    use(ALWAYS_OPEN)
    yield use
    wiring.use(None)


def asked_for_a_person(sender: str, language: str = "en") -> object:
    now = clock.time()
    events = [
        {"event": "session_started", "timestamp": now - 60},
        {"event": "user", "text": "my 5G keeps dropping at home in Wangjing", "timestamp": now - 50,
         "parse_data": {"intent": {"name": "faq"}}, "input_channel": "socketio"},
        {"event": "bot", "text": "Weak indoor signal…", "timestamp": now - 49,
         "metadata": {"utter_action": "utter_faq/coverage_weak_indoor"}},
        {"event": "user", "text": "talk to a human", "timestamp": now - 40,
         "parse_data": {"intent": {"name": "request_human"}}, "input_channel": "socketio"},
    ]  # fmt: skip
    return make_tracker(
        slots={"language": language, "last_place": "北京市朝阳区望京"},
        latest_message={"text": "talk to a human", "intent": {"name": "request_human"}},
        events=events,
        sender_id=sender,
    )


def sender() -> str:
    return "0" * 8 + uuid.uuid4().hex[:24]


def agent_available(handoff_uow, agent: str = "agent-7") -> None:
    now = datetime.now(timezone.utc)
    services.set_presence(handoff_uow(), agent=agent, status=PresenceStatus.AVAILABLE, max_chats=3, now=now)


async def test_a_request_with_an_agent_available_is_queued_and_pauses_the_bot(use_policy, handoff_uow):
    agent_available(handoff_uow)
    conversation = sender()
    dispatcher = CollectingDispatcher()
    events = await ActionRequestLiveChat().run(dispatcher, asked_for_a_person(conversation), DOMAIN)
    assert events == [ConversationPaused()]
    assert dispatcher.messages[0]["response"] == "utter_handoff_queued"
    assert dispatcher.messages[0]["position"] == 1
    view = services.live_chat_of(handoff_uow(), conversation)
    assert view is not None and view.chat.status is ChatStatus.WAITING
    assert view.chat.channel == "socketio" and view.chat.language == "en"
    context = view.chat.context
    assert context["trigger"] == "asked"
    assert context["intents"] == ["faq", "request_human"]
    assert context["faq_topics"] == ["coverage_weak_indoor"]
    assert context["lookups"] == {"last_place": "北京市朝阳区望京"}
    assert context["said"] == ["my 5G keeps dropping at home in Wangjing"]


async def test_a_second_request_of_the_same_conversation_keeps_its_place(use_policy, handoff_uow):
    agent_available(handoff_uow)
    first, second = sender(), sender()
    for conversation in (first, second, second):
        dispatcher = CollectingDispatcher()
        await ActionRequestLiveChat().run(dispatcher, asked_for_a_person(conversation), DOMAIN)
    assert dispatcher.messages[0]["position"] == 2


async def test_outside_opening_hours_the_user_is_told_so_and_offered_the_complaint(use_policy, handoff_uow):
    agent_available(handoff_uow)
    policy = closed_now()
    use_policy(policy)
    dispatcher = CollectingDispatcher()
    events = await ActionRequestLiveChat().run(dispatcher, asked_for_a_person(sender()), DOMAIN)
    assert events == [FollowupAction("utter_handoff_offer_complaint")]
    assert dispatcher.messages[0]["response"] == "utter_handoff_closed"
    assert dispatcher.messages[0]["hours"] == str(policy.hours)


async def test_with_nobody_available_the_user_is_told_so_and_offered_the_complaint(use_policy, handoff_uow):
    dispatcher = CollectingDispatcher()
    events = await ActionRequestLiveChat().run(dispatcher, asked_for_a_person(sender()), DOMAIN)
    assert events == [FollowupAction("utter_handoff_offer_complaint")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_no_agent"]


async def test_a_broken_hand_off_database_still_answers_with_the_complaint_offer(use_policy):
    def broken() -> SqlAlchemyUnitOfWork:
        raise ConnectionError("database unreachable")

    wiring.use(wiring.Dependencies(**{**wiring.current().__dict__, "handoff_uow_factory": broken}))
    dispatcher = CollectingDispatcher()
    events = await ActionRequestLiveChat().run(dispatcher, asked_for_a_person(sender()), DOMAIN)
    assert events == [FollowupAction("utter_handoff_offer_complaint")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_failed"]


def rating_turn(answer: str, slots: dict | None = None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=slots, latest_message={"text": answer, "intent": {"name": "nlu_fallback"}})
    result = ValidateHandoffRatingForm().validate_handoff_rating(answer, dispatcher, tracker, DOMAIN)
    return result, [m["response"] for m in dispatcher.messages]


def test_a_readable_score_is_the_rating():
    assert rating_turn("4分") == ({"handoff_rating": 4, "unclear_answers": 0}, [])


def test_an_unreadable_answer_is_asked_again_not_taken_as_a_rating():
    result, said = rating_turn("还行吧")
    assert result == {"handoff_rating": None, "unclear_answers": 1}
    assert said == ["utter_handoff_rating_unclear"]
    result, _ = rating_turn("10", slots={"unclear_answers": 1})
    assert result["handoff_rating"] is None and result["unclear_answers"] == 2


def test_skip_ends_the_question_without_a_rating():
    result, said = rating_turn("跳过")
    assert result == {"handoff_rating": None, "form_cancelled": True, "unclear_answers": 0}
    assert said == ["utter_handoff_rating_skipped"]


async def test_the_rating_is_stored_with_the_chat_that_ended_and_its_agent(use_policy, handoff_uow):
    agent_available(handoff_uow)
    conversation = sender()
    await ActionRequestLiveChat().run(CollectingDispatcher(), asked_for_a_person(conversation), DOMAIN)
    now = datetime.now(timezone.utc)
    chat = services.live_chat_of(handoff_uow(), conversation).chat
    services.accept(handoff_uow(), chat_id=chat.id, agent="agent-7", label="客服007", now=now)
    services.end_chat(handoff_uow(), chat_id=chat.id, agent="agent-7", now=now)

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"handoff_rating": 5}, sender_id=conversation)
    events = await ActionRecordHandoffRating().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("handoff_rating", None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_rating_thanks"]
    with handoff_uow() as uow:
        rated = uow.chats.latest_chat_of(conversation)
    assert rated is not None and rated.rating == 5 and rated.agent == "agent-7" and rated.rated_at is not None


async def test_a_skipped_rating_stores_nothing(use_policy, handoff_uow):
    conversation = sender()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"handoff_rating": None, "form_cancelled": True}, sender_id=conversation)
    await ActionRecordHandoffRating().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []
