"""What the desk does with one event from Rasa's event broker (read with common.events).

Every event is copied once into `conversation_events` (the desk's copy, which its statistics
read instead of Rasa's tracker store). A user message of a conversation with an open live
chat joins the chat's transcript; a goodbye there ends the chat by the user. The copy, the
chat message and the broker's position (for a polled broker) commit in one transaction, so
a redelivered event changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.handoff.model import ChatStatus, LiveChat, LiveMessage
from bot.handoff.orm import ConversationEventRow
from bot.handoff.services import MAX_MESSAGE
from bot.handoff.store import HandoffRepository
from common import events as rasa_events

# A user in a live chat who says goodbye (this sure) is done with the agent.
DONE_INTENTS = ("goodbye",)
DONE_CONFIDENCE = 0.8


@dataclass(frozen=True)
class Ingested:
    """What one event changed: nothing (a redelivery), the copy only, or also a live chat."""

    copied: bool
    message: LiveMessage | None = None
    ended_by_user: LiveChat | None = None


def event_key(event: Mapping[str, Any]) -> str:
    """The same event, however often delivered, has the same key (its sender, kind, time and content)."""
    digest = hashlib.sha256(json.dumps(event, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    return f"{rasa_events.kind(event)[:16]}:{digest[:64]}"


def ingest(session: Session, event: Mapping[str, Any]) -> Ingested:
    """Copies the event and applies it to the live chats, in the caller's transaction (not committed)."""
    sender = str(event.get("sender_id") or "")
    key = event_key(event)
    if not sender or session.scalar(select(ConversationEventRow.id).where(ConversationEventRow.event_key == key)):
        return Ingested(copied=False)
    kind = rasa_events.kind(event)
    session.add(
        ConversationEventRow(
            event_key=key,
            sender_id=sender[:255],
            type_name=kind[:64],
            timestamp=rasa_events.timestamp_of(event).timestamp(),
            intent_name=rasa_events.intent_of(event),
            action_name=rasa_events.name_of(event) if kind == rasa_events.ACTION else None,
            data=dict(event),
        )
    )
    session.flush()
    if kind != rasa_events.USER:
        return Ingested(copied=True)
    return _user_message(HandoffRepository(session), sender, event, key)


def _user_message(chats: HandoffRepository, sender: str, event: Mapping[str, Any], key: str) -> Ingested:
    chat = chats.open_chat_of(sender)
    at = rasa_events.timestamp_of(event)
    # The message that asked for a person is published after the chat was made: it is context, not chat.
    if chat is None or at <= chat.requested_at or chats.has_event(key):
        return Ingested(copied=True)
    text = rasa_events.text_of(event).strip()
    message = chats.add_message(chat.id, at, "user", text[:MAX_MESSAGE], event_key=key) if text else None
    if _says_done(event) and chats.try_finish(chat.id, chat.status, ChatStatus.ENDED, "user", at):
        chats.add_message(chat.id, at, "system", "ended:user")
        return Ingested(True, message, LiveChat(**{**chat.__dict__, "status": ChatStatus.ENDED, "ended_by": "user"}))
    return Ingested(True, message)


def _says_done(event: Mapping[str, Any]) -> bool:
    intent = rasa_events.parse_data_of(event).get("intent") or {}
    confidence = intent.get("confidence") if isinstance(intent, Mapping) else None
    return rasa_events.intent_of(event) in DONE_INTENTS and float(confidence or 0) >= DONE_CONFIDENCE
