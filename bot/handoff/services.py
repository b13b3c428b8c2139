"""Services of the live hand-off: what the actions (request, rating) and the desk (presence, queue,
accept, messages, end) call. Each is one transaction on a unit of work; rules live here once."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.handoff.errors import (
    AlreadyTaken,
    AtCapacity,
    ChatNotFound,
    ChatNotOpen,
    InvalidRating,
    InvalidRequest,
    NoAgentAvailable,
    NotHoldingChat,
    OutsideOpeningHours,
)
from bot.handoff.model import (
    CHANNELS,
    DEFAULT_MAX_CHATS,
    LANGUAGES,
    ChatStatus,
    ChatView,
    LiveChat,
    LiveMessage,
    Presence,
    PresenceStatus,
    Queued,
)
from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork
from common.hours import OpeningHours

MAX_MESSAGE = 2000
MAX_LABEL = 32
MAX_CHATS_LIMIT = 20
# An available agent whose console has not been seen for this long (closed tab, lost network) counts as away.
PRESENCE_TTL = timedelta(seconds=90)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Policy:
    hours: OpeningHours
    accept_timeout: timedelta = timedelta(seconds=180)

    @classmethod
    def from_settings(cls, settings: Any) -> Policy:
        return cls(
            OpeningHours.parse(settings.handoff_hours),
            timedelta(seconds=settings.handoff_accept_timeout_seconds),
        )


def _default_policy() -> Policy:
    from bot.settings import get_settings

    return Policy.from_settings(get_settings())


# --- the bot's side -------------------------------------------------------------------------


def request_live_chat(
    uow: SqlAlchemyUnitOfWork,
    *,
    conversation_id: str,
    channel: str,
    language: str,
    context: dict[str, Any],
    now: datetime,
    policy: Policy | None = None,
) -> Queued:
    """Queues the conversation for a person (or returns its open chat); refused outside opening hours
    or with nobody available, which is recorded too so the statistics count every request."""
    policy = policy or _default_policy()
    channel = channel if channel in CHANNELS else "rest"
    language = language if language in LANGUAGES else "zh"
    with uow:
        existing = uow.chats.open_chat_of(conversation_id)
        if existing is not None:
            return Queued(existing.id, uow.chats.position(existing) if existing.status is ChatStatus.WAITING else 0)
        refusal: Exception | None = None
        status = ChatStatus.WAITING
        if not policy.hours.is_open(now):
            status, refusal = ChatStatus.CLOSED_HOURS, OutsideOpeningHours(str(policy.hours))
        elif not uow.chats.available_agents(now - PRESENCE_TTL):
            status, refusal = ChatStatus.NO_AGENT, NoAgentAvailable()
        chat = LiveChat(0, conversation_id, channel, language, status, now, dict(context))
        chat.ended_at = None if refusal is None else now
        chat.id = uow.chats.add_chat(chat)
        position = uow.chats.position(chat)
        uow.commit()
    if refusal is not None:
        raise refusal
    return Queued(chat.id, position)


def record_rating(uow: SqlAlchemyUnitOfWork, *, conversation_id: str, rating: int, now: datetime) -> LiveChat:
    """Stores the user's 1-5 satisfaction answer with the latest ended chat of the conversation."""
    if not 1 <= int(rating) <= 5:
        raise InvalidRating(f"a rating is 1 to 5, not {rating}")
    with uow:
        chat = uow.chats.latest_chat_of(conversation_id)
        if chat is None or chat.status is not ChatStatus.ENDED:
            raise InvalidRating("no ended live chat to rate in this conversation")
        rated = replace(chat, rating=int(rating), rated_at=now)
        uow.chats.save_outcome(rated)
        uow.commit()
    return rated


def live_chat_of(uow: SqlAlchemyUnitOfWork, conversation_id: str) -> ChatView | None:
    """The conversation's open chat (waiting or active) with its place in the queue, else None."""
    with uow:
        chat = uow.chats.open_chat_of(conversation_id)
        if chat is None:
            return None
        position = uow.chats.position(chat) if chat.status is ChatStatus.WAITING else None
        return ChatView(chat, position, uow.chats.messages(chat.id))


def record_user_message(
    uow: SqlAlchemyUnitOfWork, *, conversation_id: str, text: str, at: datetime, event_key: str
) -> LiveMessage | None:
    """A message the user sent while their conversation was with the desk (from the event broker);
    None when no chat is open or the event was already recorded."""
    with uow:
        chat = uow.chats.open_chat_of(conversation_id)
        if chat is None or uow.chats.has_event(event_key):
            return None
        message = uow.chats.add_message(chat.id, at, "user", text[:MAX_MESSAGE], event_key=event_key)
        uow.commit()
    return message


# --- the desk's side ------------------------------------------------------------------------


def default_label(agent: str) -> str:
    """What users see of an agent who chose no label: a stable three-digit number, never their (user) name."""
    return f"{zlib.crc32(agent.encode('utf-8')) % 1000:03d}"


def set_presence(
    uow: SqlAlchemyUnitOfWork, *, agent: str, status: PresenceStatus, max_chats: int | None, now: datetime
) -> Presence:
    with uow:
        current = uow.chats.presence(agent)
        limit = max_chats if max_chats is not None else (current.max_chats if current else DEFAULT_MAX_CHATS)
        if not 1 <= limit <= MAX_CHATS_LIMIT:
            raise InvalidRequest(f"maximum concurrent chats is 1 to {MAX_CHATS_LIMIT}")
        presence = Presence(agent, status, limit, now, now)
        uow.chats.save_presence(presence)
        uow.commit()
    return presence


def presence_of(uow: SqlAlchemyUnitOfWork, agent: str) -> Presence:
    with uow:
        return uow.chats.presence(agent) or Presence(agent, PresenceStatus.AWAY, DEFAULT_MAX_CHATS, EPOCH, None)


def heartbeat(uow: SqlAlchemyUnitOfWork, agent: str, now: datetime) -> None:
    """The agent's console is open (its live stream is connected)."""
    with uow:
        uow.chats.touch(agent, now)
        uow.commit()


def accept(uow: SqlAlchemyUnitOfWork, *, chat_id: int, agent: str, label: str, now: datetime) -> LiveChat:
    """The agent takes a waiting chat; of two agents accepting at once exactly one wins (AlreadyTaken)."""
    label = " ".join(label.split())[:MAX_LABEL] or default_label(agent)
    with uow:
        chat = _load(uow, chat_id)
        if chat.status is not ChatStatus.WAITING:
            raise AlreadyTaken(chat_id)
        presence = uow.chats.presence(agent)
        limit = presence.max_chats if presence else DEFAULT_MAX_CHATS
        if uow.chats.active_count(agent) >= limit:
            raise AtCapacity(limit)
        if not uow.chats.try_accept(chat_id, agent, label, now):
            raise AlreadyTaken(chat_id)
        uow.chats.audit(chat_id, now, agent, "accept", {"label": label})
        uow.commit()
    return replace(chat, status=ChatStatus.ACTIVE, agent=agent, agent_label=label, accepted_at=now)


def post_agent_message(
    uow: SqlAlchemyUnitOfWork, *, chat_id: int, agent: str, text: str, now: datetime, faq_topic: str | None = None
) -> tuple[LiveChat, LiveMessage]:
    """Records (and audits) an agent's message; only the agent holding the active chat may write."""
    text = text.strip()
    if not text or len(text) > MAX_MESSAGE:
        raise InvalidRequest(f"a message has 1 to {MAX_MESSAGE} characters")
    with uow:
        chat = _held(uow, chat_id, agent, "write")
        message = uow.chats.add_message(chat_id, now, "agent", text, agent=agent)
        detail: dict[str, Any] = {"message_id": message.id, "length": len(text)}
        if faq_topic:
            detail["faq_topic"] = faq_topic
        uow.chats.audit(chat_id, now, agent, "message", detail)
        uow.commit()
    return chat, message


def mark_delivered(uow: SqlAlchemyUnitOfWork, message_id: int, delivered: bool) -> None:
    with uow:
        uow.chats.mark_delivered(message_id, delivered)
        uow.commit()


def end_chat(uow: SqlAlchemyUnitOfWork, *, chat_id: int, agent: str, now: datetime) -> LiveChat:
    """The holding agent ends the chat; the bot takes over again and asks for a rating."""
    with uow:
        chat = _held(uow, chat_id, agent, "end")
        if not uow.chats.try_finish(chat_id, ChatStatus.ACTIVE, ChatStatus.ENDED, "agent", now):
            raise ChatNotOpen(chat_id, "ended", "end")
        uow.chats.add_message(chat_id, now, "system", "ended:agent", agent=agent)
        uow.chats.audit(chat_id, now, agent, "end", {})
        uow.commit()
    return replace(chat, status=ChatStatus.ENDED, ended_at=now, ended_by="agent")


def expire_waiting(uow: SqlAlchemyUnitOfWork, *, now: datetime, timeout: timedelta) -> list[LiveChat]:
    """Chats nobody accepted within `timeout` become timed_out (the bot then tells the user honestly)."""
    expired: list[LiveChat] = []
    with uow:
        for chat in uow.chats.chats((ChatStatus.WAITING,)):
            if now - chat.requested_at >= timeout and uow.chats.try_finish(
                chat.id, ChatStatus.WAITING, ChatStatus.TIMED_OUT, "timeout", now
            ):
                uow.chats.add_message(chat.id, now, "system", "timed_out")
                expired.append(replace(chat, status=ChatStatus.TIMED_OUT, ended_at=now, ended_by="timeout"))
        uow.commit()
    return expired


def attach_complaint(uow: SqlAlchemyUnitOfWork, *, chat_id: int, agent: str, ticket: str, now: datetime) -> LiveChat:
    """Links the complaint record the holding agent made from the chat."""
    with uow:
        chat = _load(uow, chat_id)
        if chat.agent != agent:
            raise NotHoldingChat(chat_id)
        linked = replace(chat, complaint_ticket=ticket)
        uow.chats.save_outcome(linked)
        uow.chats.audit(chat_id, now, agent, "complaint", {"ticket": ticket})
        uow.commit()
    return linked


def waiting_queue(uow: SqlAlchemyUnitOfWork) -> list[ChatView]:
    with uow:
        chats = uow.chats.chats((ChatStatus.WAITING,))
        return [ChatView(chat, n, uow.chats.messages(chat.id)) for n, chat in enumerate(chats, start=1)]


def chats_of(uow: SqlAlchemyUnitOfWork, agent: str) -> list[ChatView]:
    with uow:
        return [ChatView(c, None, uow.chats.messages(c.id)) for c in uow.chats.chats((ChatStatus.ACTIVE,), agent)]


def chat_detail(uow: SqlAlchemyUnitOfWork, chat_id: int) -> ChatView:
    with uow:
        chat = _load(uow, chat_id)
        position = uow.chats.position(chat) if chat.status is ChatStatus.WAITING else None
        return ChatView(chat, position, uow.chats.messages(chat_id))


def _load(uow: SqlAlchemyUnitOfWork, chat_id: int) -> LiveChat:
    chat = uow.chats.get(chat_id)
    if chat is None:
        raise ChatNotFound(f"with id {chat_id}")
    return chat


def _held(uow: SqlAlchemyUnitOfWork, chat_id: int, agent: str, wanted: str) -> LiveChat:
    chat = _load(uow, chat_id)
    if chat.agent != agent:  # first: whoever does not hold it learns nothing of its state
        raise NotHoldingChat(chat_id)
    if chat.status is not ChatStatus.ACTIVE:
        raise ChatNotOpen(chat_id, chat.status.value, wanted)
    return chat
