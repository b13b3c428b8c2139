"""Fixtures of the desk tests: the web app on the migrated test databases, desk users, a tracker store.

They build on conftest.py's `database_url` (a migrated SQLite file and a throwaway
PostgreSQL database) and `engine` (complaint tables emptied); the desk's own tables are
emptied here. Users get cheap argon2 hashes (fast tests); logging in re-hashes them
with the production parameters, as it would any outdated hash.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, text
from sqlalchemy.orm import Session, sessionmaker

from bot.complaints.model import Complaint, ComplaintDraft
from bot.db import make_engine
from bot.desk import accounts
from bot.desk.bootstrap import Desk
from bot.desk.permissions import Role
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.desk.users import User
from bot.handoff.events import ingest
from bot.settings import Settings
from bot.web.app import create_app
from tests.e2e.servers import free_port
from tests.factories import NOW, file_complaint

DESK_TABLES = (
    "desk_outbox", "desk_users", "desk_state", "conversation_events",
    "handoff_audit", "handoff_messages", "handoff_chats", "handoff_agents",
)  # fmt: skip
SECRET = "test-desk-secret-key-0123456789-abcdefghijklmnop"
PASSWORD = "correct horse battery"
FAST = accounts.Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass
class Clock:
    """The desk's clock in tests: starts an hour after conftest's NOW, moved by hand."""

    now: datetime = field(default_factory=lambda: NOW + timedelta(hours=1))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class DeskTest:
    app: FastAPI
    client: httpx.Client
    clock: Clock
    database_url: str

    @property
    def desk(self) -> Desk:
        desk: Desk = self.app.state.desk
        return desk

    def uow(self) -> DeskUnitOfWork:
        return self.desk.uow()

    def add_user(self, username: str, role: Role = Role.AGENT, password: str = PASSWORD) -> User:
        return accounts.create_user(
            self.uow(), FAST, username=username, password=password, role=role, now=self.clock(), by=None
        )

    def auth(self, username: str) -> dict[str, str]:
        """Authorization header for a user, as logging in would give it."""
        with self.uow() as uow:
            user = uow.users.get(username)
        assert user is not None, username
        return {"Authorization": f"Bearer {self.desk.tokens.issue(user).token}"}

    def live_chat(self, conversation_id: str, holder: str | None = "alice") -> int:
        """A live chat requested by the bot for a conversation (on the web, in Chinese), accepted by `holder`."""
        from bot.handoff import services as handoff
        from bot.handoff.model import PresenceStatus
        from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork
        from common.hours import OpeningHours

        def uow() -> SqlAlchemyUnitOfWork:
            return SqlAlchemyUnitOfWork(self.desk.sessions)

        now = self.clock()
        handoff.set_presence(uow(), agent=holder or "alice", status=PresenceStatus.AVAILABLE, max_chats=20, now=now)
        policy = handoff.Policy(OpeningHours.parse("00:00-24:00"))
        chat_id = handoff.request_live_chat(
            uow(),
            conversation_id=conversation_id,
            channel="socketio",
            language="zh",
            context={},
            now=now,
            policy=policy,
        ).chat_id
        if holder:
            handoff.accept(uow(), chat_id=chat_id, agent=holder, label="A7", now=now)
        return chat_id

    def file(self, draft: ComplaintDraft, key: str, at: datetime = NOW) -> Complaint:
        return file_complaint(self.uow(), draft, key, at)


@pytest.fixture
def desk_engine(engine: Engine) -> Engine:
    """conftest's engine (complaint tables emptied), with the desk's tables emptied too."""
    with engine.begin() as connection:
        for table in DESK_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    return engine


@pytest.fixture
def desk_sessions(desk_engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=desk_engine, expire_on_commit=False)


def desk_settings(database_url: str, tracker_url: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "tracker_database_url": tracker_url,
        "desk_secret_key": SECRET,
        "notify_worker_enabled": False,
        **changes,
    }
    return Settings(**values)


@pytest.fixture
def tracker_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Rasa's tracker store, empty: a SQLite file, or an `events` table in the PostgreSQL test database."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}" if database_url.startswith("sqlite") else database_url
    engine = make_engine(url)
    TRACKER_METADATA.create_all(engine)
    engine.dispose()
    yield url
    engine = make_engine(url)
    TRACKER_METADATA.drop_all(engine)
    engine.dispose()


@pytest.fixture
def desk(desk_engine: Engine, database_url: str, tracker_url: str) -> Iterator[DeskTest]:
    """The web app (desk included) served over HTTP on the test database, with a hand-moved clock, worker off."""
    clock = Clock()
    app = create_app(desk_settings(database_url, tracker_url), clock=clock)
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield DeskTest(app=app, client=client, clock=clock, database_url=database_url)


@pytest.fixture
def staff(desk: DeskTest) -> DeskTest:
    """Two agents (alice, bob) and a supervisor (sam)."""
    desk.add_user("alice", Role.AGENT)
    desk.add_user("bob", Role.AGENT)
    desk.add_user("sam", Role.SUPERVISOR)
    return desk


# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent).
TRACKER_METADATA = MetaData()
TRACKER_EVENTS = Table(
    "events",
    TRACKER_METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def store_conversation(url: str, sender_id: str, events: list[dict[str, Any]]) -> None:
    """Writes events as Rasa's SQLTrackerStore.save does."""
    engine = make_engine(url)
    with engine.begin() as connection:
        for event in events:
            connection.execute(
                TRACKER_EVENTS.insert().values(
                    sender_id=sender_id,
                    type_name=event["event"],
                    timestamp=event["timestamp"],
                    intent_name=(event.get("parse_data") or {}).get("intent", {}).get("name"),
                    action_name=event.get("name"),
                    data=json.dumps(event, ensure_ascii=False),
                )
            )
    engine.dispose()


def deliver_conversation(database_url: str, sender_id: str, events: list[dict[str, Any]]) -> None:
    """Hands events to the desk as the event broker's consumer does (into its copy, conversation_events)."""
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        for event in events:
            ingest(session, {**event, "sender_id": sender_id})
    engine.dispose()


class Conversation:
    """Builds Rasa 3.6 tracker events, one second apart."""

    def __init__(self, start: datetime) -> None:
        self.time = start.timestamp()
        self.events: list[dict[str, Any]] = []

    def _add(self, event: dict[str, Any]) -> Conversation:
        self.time += 1
        self.events.append({**event, "timestamp": self.time})
        return self

    def user(self, text_: str, intent: str, faq_topic: str | None = None) -> Conversation:
        parse_data: dict[str, Any] = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text_}
        if faq_topic:
            response = {"intent_response_key": f"faq/{faq_topic}", "utter_action": f"utter_faq/{faq_topic}"}
            parse_data["response_selector"] = {
                "all_retrieval_intents": ["faq"],
                "faq": {"response": {**response, "confidence": 0.9}, "ranking": []},
            }
        return self._add({"event": "user", "text": text_, "parse_data": parse_data, "input_channel": "socketio"})

    def action(self, name: str) -> Conversation:
        return self._add({"event": "action", "name": name, "policy": "RulePolicy", "confidence": 1.0})

    def bot(self, text_: str, utter_action: str | None = None) -> Conversation:
        metadata = {"utter_action": utter_action} if utter_action else {}
        return self._add({"event": "bot", "text": text_, "data": {}, "metadata": metadata})

    def faq_answer(self, question: str, topic: str, helped: bool | None, with_metadata: bool = True) -> Conversation:
        """A question answered from the FAQ, then "did that help?" and the user's yes/no (None: no answer)."""
        self.user(question, "faq", topic).action("utter_faq")
        self.bot("…", f"utter_faq/{topic}" if with_metadata else None)
        self.action("utter_did_that_help").bot("这个回答解决您的问题了吗？", "utter_did_that_help")
        self.action("action_listen")
        if helped is not None:
            self.user("/affirm" if helped else "/deny", "affirm" if helped else "deny")
        return self


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, served by uvicorn in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Runs work(i) in `count` threads released at the same moment; returns the results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the outcome under test
            results[i] = error

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
