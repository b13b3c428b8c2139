"""The desk's live inbox: what an agent's console shows, masked per the desk's rules, and the push.

`LiveHub` wakes every open console stream of this process the moment a chat changes (an agent's
action, a user message from the event broker); streams also look at the database four times a second,
so a change made by another process (a second web replica, a separate worker) is shown too.
`BrokerHealth` is what the console shows of the event broker (connected, last error, backlog).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.handoff.model import ChatStatus, ChatView, LiveChat, LiveMessage
from bot.handoff.orm import ConversationEventRow, LiveChatRow, LiveMessageRow
from common import events as rasa_events
from common.redact import redact_numbers

# Earlier turns of the conversation shown with a waiting chat (what the user said to the bot).
HISTORY_TURNS = 30
# What the web chat sends to open a session: not the user's words.
HIDDEN_TEXTS = ("/session_start",)


class LiveHub:
    """Wakes the waiting console streams of this process; safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float) -> None:
        """Returns on the next notify(), or after `timeout` seconds."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(entry)


@dataclass
class BrokerHealth:
    """The event broker as the desk's consumer sees it (shown in the console, logged on change)."""

    kind: str = "none"
    connected: bool = False
    since: datetime | None = None
    last_error: str | None = None
    consumed: int = 0
    last_event_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def up(self, now: datetime) -> bool:
        """Marks the broker reachable; True when it was not (a change worth logging)."""
        with self._lock:
            changed = not self.connected
            if changed:
                self.connected, self.since, self.last_error = True, now, None
            return changed

    def down(self, now: datetime, error: str) -> bool:
        with self._lock:
            changed = self.connected or self.since is None
            if changed:
                self.connected, self.since = False, now
            self.last_error = error
            return changed

    def consumed_one(self, now: datetime) -> None:
        with self._lock:
            self.consumed += 1
            self.last_event_at = now

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "kind": self.kind,
                "connected": self.connected,
                "since": self.since.isoformat() if self.since else None,
                "last_error": self.last_error,
                "consumed": self.consumed,
                "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            }


def fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever a live message is added, a chat changes state, or an open chat's conversation gets an
    event (the request's own turn reaches the desk just after the chat was made) (for the streams' polling)."""
    last_message = session.scalar(select(func.max(LiveMessageRow.id)))
    open_conversations = select(LiveChatRow.conversation_id).where(LiveChatRow.status.in_(("waiting", "active")))
    last_event = session.scalar(
        select(func.max(ConversationEventRow.id)).where(ConversationEventRow.sender_id.in_(open_conversations))
    )
    chats = session.execute(
        select(
            func.count(), func.max(LiveChatRow.id), func.max(LiveChatRow.accepted_at), func.max(LiveChatRow.ended_at)
        )
    ).one()
    return (last_message, last_event, *chats)


def message_out(message: LiveMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "at": message.at.isoformat(),
        "author": message.author,
        "text": redact_numbers(message.text),
        "agent": message.agent,
        "delivered": message.delivered,
    }


def history(
    session: Session, conversation_id: str, before: datetime, limit: int = HISTORY_TURNS
) -> list[dict[str, Any]]:
    """The conversation's last turns with the bot before the request, as the console shows them (masked)."""
    turns = raw_history(session, conversation_id, before, limit)
    return [{**t, "at": t["at"].isoformat(), "text": redact_numbers(t["text"])} for t in turns]


def raw_history(
    session: Session, conversation_id: str, before: datetime, limit: int = HISTORY_TURNS
) -> list[dict[str, Any]]:
    """The conversation's last turns with the bot before the request (from the desk's copy of the events)."""
    rows = session.scalars(
        select(ConversationEventRow)
        .where(
            ConversationEventRow.sender_id == conversation_id,
            ConversationEventRow.type_name.in_((rasa_events.USER, rasa_events.BOT)),
            ConversationEventRow.timestamp <= before.timestamp(),
        )
        .order_by(ConversationEventRow.timestamp.desc(), ConversationEventRow.id.desc())
        .limit(limit)
    ).all()
    turns = [t for t in rasa_events.turns(row.data for row in reversed(rows)) if t.text not in HIDDEN_TEXTS]
    return [{"at": t.timestamp, "author": t.role, "text": t.text, "intent": t.intent} for t in turns]


def chat_out(view: ChatView, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    chat = view.chat
    return {
        "id": chat.id,
        "conversation_id": chat.conversation_id,
        "channel": chat.channel,
        "language": chat.language,
        "status": chat.status.value,
        "position": view.position,
        "requested_at": chat.requested_at.isoformat(),
        "accepted_at": chat.accepted_at.isoformat() if chat.accepted_at else None,
        "ended_at": chat.ended_at.isoformat() if chat.ended_at else None,
        "ended_by": chat.ended_by,
        "agent": chat.agent,
        "agent_label": chat.agent_label,
        "complaint_ticket": chat.complaint_ticket,
        "rating": chat.rating,
        "understood": understood(chat),
        "history": earlier,
        "messages": [message_out(m) for m in view.messages],
    }


def understood(chat: LiveChat) -> dict[str, Any]:
    """What the bot understood before handing over (the context the action sent), numbers masked."""
    return _masked(chat.context)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return redact_numbers(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    return value


def is_open(chat: LiveChat) -> bool:
    return chat.status in (ChatStatus.WAITING, ChatStatus.ACTIVE)
