"""The desk's copy of Rasa's events (conversation_events, fed by the event broker's consumer), read the
way bot.desk.tracker reads Rasa's tracker store: the desk's statistics read this copy, not Rasa's tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.conversations import Conversations
from bot.desk.tracker import TrackerEvent, TrackerStore
from bot.handoff.orm import ConversationEventRow, LiveChatRow, LiveMessageRow
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


class ConversationsAndCopy(Conversations):
    """Erasing a conversation (on request, or past the retention period) in Rasa's tracker store and in the
    desk's copies of it: the copied events, and the words of its live chats (the chats' figures stay)."""

    def __init__(self, tracker_url: str, sessions: sessionmaker[Session]) -> None:
        super().__init__(tracker_url)
        self.sessions = sessions

    def forget(self, sender_id: str) -> int:
        deleted = super().forget(sender_id)
        with self.sessions() as session, session.begin():
            deleted += _rowcount(
                session.execute(delete(ConversationEventRow).where(ConversationEventRow.sender_id == sender_id))
            )
            chats = select(LiveChatRow.id).where(LiveChatRow.conversation_id == sender_id)
            session.execute(update(LiveMessageRow).where(LiveMessageRow.chat_id.in_(chats)).values(text=""))
            session.execute(update(LiveChatRow).where(LiveChatRow.conversation_id == sender_id).values(context={}))
        return deleted

    def prune(self, cutoff: datetime) -> int:
        deleted = super().prune(cutoff)
        with self.sessions() as session, session.begin():
            old = ConversationEventRow.timestamp < cutoff.timestamp()
            deleted += _rowcount(session.execute(delete(ConversationEventRow).where(old)))
            ended = select(LiveChatRow.id).where(LiveChatRow.ended_at < cutoff)
            session.execute(update(LiveMessageRow).where(LiveMessageRow.chat_id.in_(ended)).values(text=""))
            session.execute(update(LiveChatRow).where(LiveChatRow.ended_at < cutoff).values(context={}))
        return deleted


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
