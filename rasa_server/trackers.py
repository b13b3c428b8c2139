"""A SQL tracker store whose cost per turn does not grow with the conversation (Rasa server).

Rasa 3.6's SQLTrackerStore rebuilds the whole current session from the database on
every message, and every policy then computes the dialogue state of every event in
it: the 200th message of a conversation costs several times the 1st. This store
keeps every event in the same `events` table (same schema, so Rasa's own tools, the
REST API's full tracker and the complaint transcripts read it as before) but hands
the dialogue engine only the latest `window` events of the session, preceded by the
state they start from: the latest value of each slot and the active form as they
stood before the window, read with a handful of indexed queries. Slots, the active
form and the policies' view of the last turns are exactly what the full session
gives; what the window cuts is older history, which the policies (max_history 4)
never read.

Its database work runs in a worker thread, so a slow database holds up only its own
conversation, not the server's event loop.

endpoints.yml:

    tracker_store:
      type: rasa_server.trackers.WindowedSQLTrackerStore
      dialect: postgresql
      url: 127.0.0.1
      db: rasa
      window: 120
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from common.events import ACTIVE_LOOP, SESSION_STARTED, SLOT, decode, intent_of, name_of

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 120
# How many of a tracker's events are already in the database (set by retrieve and save).
STORED = "_windowed_store_persisted"
# Events that end a session's slot values: after them the slots start again from the domain.
SLOT_RESETS = ("restart", "reset_slots", SESSION_STARTED)
PAUSE_EVENTS = ("pause", "resume")
# Rasa indexes `events` by sender_id alone, so "the latest session start" and "the latest value
# of each slot" read every stored event of the conversation, a cost that grows with its length.
# With (sender_id, type_name, id) they are index look-ups.
# Declared on Rasa's table, so a new database gets it with the table; an existing one when a
# store first connects.
EVENT_TYPE_INDEX = sa.Index(
    "ix_events_sender_id_type_name_id",
    SQLTrackerStore.SQLEvent.sender_id,
    SQLTrackerStore.SQLEvent.type_name,
    SQLTrackerStore.SQLEvent.id,
)


class WindowedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Domain | None = None, window: int = DEFAULT_WINDOW, **kwargs: Any) -> None:
        super().__init__(domain=domain, **kwargs)
        if int(window) < 20:
            raise ValueError("window must be at least 20 events (a few turns)")
        self.window = int(window)
        self._ensure_event_type_index()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        events = await asyncio.to_thread(self._windowed_events, sender_id)
        if not events or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        stored = getattr(tracker, STORED, None)
        if stored is None:
            # A tracker this store did not load (a new conversation, or events posted to
            # the HTTP API): Rasa's own rule, events beyond those stored for the session.
            await asyncio.to_thread(self._save_by_count, tracker)
        else:
            await asyncio.to_thread(self._insert, tracker.sender_id, list(tracker.events)[stored:])
        setattr(tracker, STORED, len(tracker.events))

    # -- database work (worker thread) ----------------------------------------------

    def _ensure_event_type_index(self) -> None:
        """Adds the (sender_id, type_name, id) index to Rasa's `events` table if it is missing.

        Several server processes may start at once: one that loses the race to create it
        finds it there afterwards. Building it blocks writes to the table while it runs; on a
        large existing PostgreSQL table, create it beforehand without blocking:
        `CREATE INDEX CONCURRENTLY ix_events_sender_id_type_name_id ON events (sender_id, type_name, id)`."""
        try:
            EVENT_TYPE_INDEX.create(self.engine, checkfirst=True)
        except sa.exc.DBAPIError:
            if EVENT_TYPE_INDEX.name not in {i["name"] for i in sa.inspect(self.engine).get_indexes("events")}:
                raise

    def _insert(self, sender_id: str, events: list[Any]) -> None:
        if not events:
            return
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent_of(data),
                        action_name=name_of(data),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    def _save_by_count(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            start = self._session_start_id(session, tracker.sender_id)
            stored = (
                session.query(sa.func.count(self.SQLEvent.id))
                .filter(self.SQLEvent.sender_id == tracker.sender_id, self.SQLEvent.id >= start)
                .scalar()
            )
        self._insert(tracker.sender_id, list(tracker.events)[stored or 0 :])

    def _session_start_id(self, session: Any, sender_id: str) -> int:
        """Id of the latest `session_started` event (0 when the conversation has none)."""
        event = self.SQLEvent
        latest = (
            session.query(sa.func.max(event.id))
            .filter(event.sender_id == sender_id, event.type_name == SESSION_STARTED)
            .scalar()
        )
        return int(latest or 0)

    def _windowed_events(self, sender_id: str) -> list[dict[str, Any]]:
        """The state before the window (as events) followed by the session's latest events."""
        event = self.SQLEvent
        with self.session_scope() as session:
            start = self._session_start_id(session, sender_id)
            rows = (
                session.query(event.id, event.data)
                .filter(event.sender_id == sender_id, event.id >= start)
                .order_by(event.id.desc())
                .limit(self.window)
                .all()
            )
            if not rows:
                return []
            rows.reverse()
            prefix: list[tuple[int, str]] = []
            if len(rows) == self.window:
                # The window may have cut the session: add the state it starts from.
                prefix = self._state_before(session, sender_id, start, rows[0][0])
        return [decode(data) for _, data in prefix + rows]

    def _state_before(self, session: Any, sender_id: str, start: int, first: int) -> list[tuple[int, str]]:
        """Events that rebuild the slots, the active form and the pause as they stood before event `first`."""
        event = self.SQLEvent
        mine = (event.sender_id == sender_id, event.id >= start, event.id < first)
        reset = session.query(sa.func.max(event.id)).filter(*mine, event.type_name.in_(SLOT_RESETS)).scalar()
        since = (*mine, event.id >= (reset or start))
        # The latest event setting each slot (SlotSet keeps the slot's name in action_name) ...
        ids = [
            row_id
            for (row_id,) in session.query(sa.func.max(event.id))
            .filter(*since, event.type_name == SLOT)
            .group_by(event.action_name)
            .all()
        ]
        # ... and the latest form activation or deactivation.
        loop = session.query(sa.func.max(event.id)).filter(*since, event.type_name == ACTIVE_LOOP).scalar()
        if loop:
            ids.append(loop)
        # ... and whether it was handed over to an agent (paused) or taken back (resumed): a live
        # chat easily outlasts the window, and a paused conversation must stay paused.
        pause = session.query(sa.func.max(event.id)).filter(*since, event.type_name.in_(PAUSE_EVENTS)).scalar()
        if pause:
            ids.append(pause)
        if not ids:
            return []
        return list(session.query(event.id, event.data).filter(event.id.in_(ids)).order_by(event.id).all())
