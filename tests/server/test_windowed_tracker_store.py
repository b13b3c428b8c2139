"""The windowed SQL tracker store gives the dialogue engine what the full session gives.

Real databases: a SQLite file and PostgreSQL (127.0.0.1:5432, database `test`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.trackers import EVENT_TYPE_INDEX, WindowedSQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, complain, inform]
slots:
  language: {type: categorical, values: [zh, en], mappings: [{type: custom}]}
  category: {type: text, mappings: [{type: custom}]}
  description: {type: text, mappings: [{type: custom}]}
  counter: {type: float, mappings: [{type: custom}]}
forms:
  complaint_form: {required_slots: [category, description]}
responses:
  utter_greet: [{text: hi}]
"""
)
WINDOW = 30


def postgres_available() -> bool:
    try:
        sa.create_engine("postgresql://postgres@127.0.0.1:5432/test").connect().close()
        return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def options(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, object]:
    """Tracker store settings for each kind of database."""
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    if not postgres_available():
        pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432")
    return {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": "test", "username": "postgres"}


@pytest.fixture
def stores(options: dict[str, object]) -> Iterator[tuple[SQLTrackerStore, WindowedSQLTrackerStore]]:
    full = SQLTrackerStore(DOMAIN, **options)
    windowed = WindowedSQLTrackerStore(DOMAIN, window=WINDOW, **options)
    yield full, windowed
    full.engine.dispose()
    windowed.engine.dispose()


def turn(tracker: DialogueStateTracker, text: str, *events: object) -> None:
    tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
    for event in events:
        tracker.update(event)  # type: ignore[arg-type]
    tracker.update(BotUttered(f"re: {text}"))
    tracker.update(ActionExecuted("action_listen"))


async def long_conversation(store: WindowedSQLTrackerStore, sender: str, turns: int) -> None:
    """A conversation saved turn by turn through the windowed store, as the server does."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("language", "zh"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    for i in range(turns):
        tracker = await store.retrieve(sender)
        assert tracker is not None
        extra: list[object] = [SlotSet("counter", float(i))]
        if i == 3:
            extra += [ActiveLoop("complaint_form"), SlotSet("category", "billing")]
        if i == 5:
            extra.append(SlotSet("language", "en"))
        if i == turns - 4:
            extra += [SlotSet("description", "late refund"), ActiveLoop(None)]
        turn(tracker, f"message {i}", *extra)
        await store.save(tracker)


def state_of(tracker: DialogueStateTracker) -> dict[str, object]:
    return {
        "slots": {name: slot.value for name, slot in tracker.slots.items()},
        "active_loop": tracker.active_loop_name,
        "latest_message": tracker.latest_message.text if tracker.latest_message else None,
        "last_states": tracker.past_states(DOMAIN)[-5:],
    }


@pytest.mark.parametrize("turns", [3, 40])
def test_windowed_tracker_matches_the_full_session(stores, turns: int) -> None:
    full, windowed = stores
    sender = f"window-{uuid.uuid4().hex[:8]}"
    asyncio.run(long_conversation(windowed, sender, turns))

    whole = asyncio.run(full.retrieve(sender))
    window = asyncio.run(windowed.retrieve(sender))
    assert whole is not None and window is not None
    assert state_of(window) == state_of(whole)
    # Every event is in the database once; the engine sees at most the window plus the state before it.
    assert sum(isinstance(e, UserUttered) for e in whole.events) == turns
    assert len(window.events) <= WINDOW + len(DOMAIN.slots) + 1
    if turns > 10:
        assert len(window.events) < len(whole.events)
        assert list(window.events)[-WINDOW:] == list(whole.events)[-WINDOW:]


def test_each_event_is_stored_exactly_once(stores) -> None:
    full, windowed = stores
    sender = f"once-{uuid.uuid4().hex[:8]}"
    asyncio.run(long_conversation(windowed, sender, 25))
    whole = asyncio.run(full.retrieve(sender))
    assert whole is not None
    texts = [e.text for e in whole.events if isinstance(e, UserUttered)]
    assert texts == [f"message {i}" for i in range(25)]


def test_a_tracker_it_did_not_load_is_saved_like_rasa_does(stores) -> None:
    full, windowed = stores
    sender = f"api-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "hello")
    asyncio.run(windowed.save(tracker))
    asyncio.run(windowed.save(tracker))  # saved twice: nothing doubles
    whole = asyncio.run(full.retrieve(sender))
    assert whole is not None and len(whole.events) == len(tracker.events)


def test_a_restart_clears_the_slots_set_before_it(stores) -> None:
    full, windowed = stores
    sender = f"restart-{uuid.uuid4().hex[:8]}"

    async def conversation() -> None:
        tracker = await windowed.get_or_create_tracker(sender, append_action_listen=True)
        turn(tracker, "first", SlotSet("category", "billing"), ActiveLoop("complaint_form"))
        tracker.update(Restarted())
        await windowed.save(tracker)
        for i in range(WINDOW):
            tracker = await windowed.retrieve(sender)
            assert tracker is not None
            turn(tracker, f"after {i}")
            await windowed.save(tracker)

    asyncio.run(conversation())
    whole = asyncio.run(full.retrieve(sender))
    window = asyncio.run(windowed.retrieve(sender))
    assert whole is not None and window is not None
    assert window.get_slot("category") is None and whole.get_slot("category") is None
    assert window.active_loop_name is None
    assert state_of(window) == state_of(whole)


@pytest.mark.parametrize("resumed", [False, True])
def test_a_conversation_handed_over_stays_paused_beyond_the_window(stores, resumed: bool) -> None:
    """A live chat outlasts the window: the pause (or the resume) before it still holds."""
    full, windowed = stores
    sender = f"paused-{uuid.uuid4().hex[:8]}"

    async def conversation() -> None:
        tracker = await windowed.get_or_create_tracker(sender, append_action_listen=True)
        turn(tracker, "a person please", ConversationPaused())
        if resumed:
            turn(tracker, "thanks", ConversationResumed())
        await windowed.save(tracker)
        for i in range(WINDOW):
            tracker = await windowed.retrieve(sender)
            assert tracker is not None
            turn(tracker, f"to the agent {i}")
            await windowed.save(tracker)

    asyncio.run(conversation())
    whole = asyncio.run(full.retrieve(sender))
    window = asyncio.run(windowed.retrieve(sender))
    assert whole is not None and window is not None
    assert not any(isinstance(e, ConversationPaused) for e in list(window.events)[-WINDOW:])
    assert whole.is_paused() is (not resumed)
    assert window.is_paused() is (not resumed)


def test_an_unknown_conversation_is_none(stores) -> None:
    _, windowed = stores
    assert asyncio.run(windowed.retrieve(f"nobody-{uuid.uuid4().hex[:8]}")) is None


def test_a_tiny_window_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="window"):
        WindowedSQLTrackerStore(DOMAIN, window=5, dialect="sqlite", db=str(tmp_path / "t.db"))


def index_names(store: SQLTrackerStore) -> set[str]:
    return {index["name"] for index in sa.inspect(store.engine).get_indexes("events")}


def test_the_event_type_index_is_added_to_an_existing_table(options, stores) -> None:
    full, _ = stores
    with full.engine.begin() as connection:
        connection.execute(sa.text(f"DROP INDEX IF EXISTS {EVENT_TYPE_INDEX.name}"))
    assert EVENT_TYPE_INDEX.name not in index_names(full)
    WindowedSQLTrackerStore(DOMAIN, window=WINDOW, **options).engine.dispose()  # type: ignore[arg-type]
    assert EVENT_TYPE_INDEX.name in index_names(full)


def test_the_session_start_is_found_through_the_index(tmp_path: Path) -> None:
    store = WindowedSQLTrackerStore(DOMAIN, window=WINDOW, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    query = "SELECT max(id) FROM events WHERE sender_id = 'a' AND type_name = 'session_started'"
    with store.engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.execute(sa.text(f"EXPLAIN QUERY PLAN {query}")))
    assert f"COVERING INDEX {EVENT_TYPE_INDEX.name}" in plan, plan
