"""The desk's copy of Rasa's events (conversation_events, fed by the event broker's consumer), read the
way bot.desk.tracker reads Rasa's tracker store: the desk's statistics read this copy, not Rasa's tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine, select

from bot.desk.tracker import TrackerEvent, TrackerStore
from bot.handoff.orm import ConversationEventRow
from common import events as rasa_events

KINDS = (rasa_events.USER, rasa_events.BOT, rasa_events.ACTION)


class EventCopy(TrackerStore):
    """Reads conversation_events on the desk's own database (the engine the desk already has)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(str(engine.url))
        self._copy = engine

    def events_between(self, start: datetime, end: datetime) -> Iterator[TrackerEvent]:
        query = (
            select(ConversationEventRow.sender_id, ConversationEventRow.type_name, ConversationEventRow.data)
            .where(
                ConversationEventRow.timestamp >= start.timestamp(),
                ConversationEventRow.timestamp < end.timestamp(),
                ConversationEventRow.type_name.in_(KINDS),
            )
            .order_by(ConversationEventRow.sender_id, ConversationEventRow.timestamp, ConversationEventRow.id)
        )
        with self._copy.connect() as connection:
            for row in connection.execution_options(yield_per=1000).execute(query):
                yield TrackerEvent(row.sender_id, {**dict(row.data or {}), "event": row.type_name})

    def dispose(self) -> None:
        """The engine is the desk's; the desk disposes of it."""
