"""The hand-off's repository over a SQLAlchemy Session: rows in, model dataclasses out.

Accepting is one conditional UPDATE (... WHERE status = 'waiting'): when two agents accept
the same chat at once, the database lets exactly one of them change the row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from bot.handoff.model import ChatStatus, LiveChat, LiveMessage, Presence, PresenceStatus
from bot.handoff.orm import AgentPresenceRow, HandoffAuditRow, LiveChatRow, LiveMessageRow

_OPEN = (ChatStatus.WAITING.value, ChatStatus.ACTIVE.value)


def _chat(row: LiveChatRow) -> LiveChat:
    return LiveChat(
        id=row.id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        language=row.language,
        status=ChatStatus(row.status),
        requested_at=row.requested_at,
        context=dict(row.context or {}),
        accepted_at=row.accepted_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        agent=row.agent,
        agent_label=row.agent_label,
        complaint_ticket=row.complaint_ticket,
        rating=row.rating,
        rated_at=row.rated_at,
    )


def _message(row: LiveMessageRow) -> LiveMessage:
    author = cast(Any, row.author)
    return LiveMessage(row.id, row.chat_id, row.at, author, row.text, row.agent, row.delivered)


def _presence(row: AgentPresenceRow) -> Presence:
    return Presence(row.agent, PresenceStatus(row.status), row.max_chats, row.updated_at, row.seen_at)


class HandoffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # agents
    def presence(self, agent: str) -> Presence | None:
        row = self.session.get(AgentPresenceRow, agent)
        return _presence(row) if row else None

    def save_presence(self, presence: Presence) -> None:
        row = self.session.get(AgentPresenceRow, presence.agent) or AgentPresenceRow(agent=presence.agent)
        row.status, row.max_chats, row.updated_at = presence.status.value, presence.max_chats, presence.updated_at
        row.seen_at = presence.seen_at
        self.session.add(row)

    def touch(self, agent: str, now: datetime) -> None:
        self.session.execute(update(AgentPresenceRow).where(AgentPresenceRow.agent == agent).values(seen_at=now))

    def available_agents(self, seen_since: datetime) -> list[Presence]:
        rows = self.session.scalars(
            select(AgentPresenceRow).where(
                AgentPresenceRow.status == PresenceStatus.AVAILABLE.value, AgentPresenceRow.seen_at >= seen_since
            )
        )
        return [_presence(row) for row in rows]

    def agents(self) -> list[Presence]:
        return [
            _presence(row) for row in self.session.scalars(select(AgentPresenceRow).order_by(AgentPresenceRow.agent))
        ]

    # chats
    def add_chat(self, chat: LiveChat) -> int:
        row = LiveChatRow(
            conversation_id=chat.conversation_id,
            channel=chat.channel,
            language=chat.language,
            status=chat.status.value,
            requested_at=chat.requested_at,
            context=chat.context,
            ended_at=chat.ended_at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, chat_id: int) -> LiveChat | None:
        row = self.session.get(LiveChatRow, chat_id)
        return _chat(row) if row else None

    def open_chat_of(self, conversation_id: str) -> LiveChat | None:
        row = self.session.scalars(
            select(LiveChatRow)
            .where(LiveChatRow.conversation_id == conversation_id, LiveChatRow.status.in_(_OPEN))
            .order_by(LiveChatRow.id.desc())
        ).first()
        return _chat(row) if row else None

    def latest_chat_of(self, conversation_id: str) -> LiveChat | None:
        row = self.session.scalars(
            select(LiveChatRow).where(LiveChatRow.conversation_id == conversation_id).order_by(LiveChatRow.id.desc())
        ).first()
        return _chat(row) if row else None

    def chats(self, statuses: tuple[ChatStatus, ...], agent: str | None = None) -> list[LiveChat]:
        query = select(LiveChatRow).where(LiveChatRow.status.in_([s.value for s in statuses]))
        if agent is not None:
            query = query.where(LiveChatRow.agent == agent)
        return [_chat(row) for row in self.session.scalars(query.order_by(LiveChatRow.requested_at, LiveChatRow.id))]

    def chats_requested_between(self, start: datetime, end: datetime) -> list[LiveChat]:
        query = select(LiveChatRow).where(LiveChatRow.requested_at >= start, LiveChatRow.requested_at < end)
        return [_chat(row) for row in self.session.scalars(query.order_by(LiveChatRow.id))]

    def position(self, chat: LiveChat) -> int:
        """Place in the queue: waiting chats requested before this one, plus one."""
        earlier = self.session.scalar(
            select(func.count())
            .select_from(LiveChatRow)
            .where(
                LiveChatRow.status == ChatStatus.WAITING.value,
                (LiveChatRow.requested_at < chat.requested_at)
                | ((LiveChatRow.requested_at == chat.requested_at) & (LiveChatRow.id < chat.id)),
            )
        )
        return int(earlier or 0) + 1

    def active_count(self, agent: str) -> int:
        count = self.session.scalar(
            select(func.count())
            .select_from(LiveChatRow)
            .where(LiveChatRow.agent == agent, LiveChatRow.status == ChatStatus.ACTIVE.value)
        )
        return int(count or 0)

    def try_accept(self, chat_id: int, agent: str, label: str, now: datetime) -> bool:
        """Makes the chat active for `agent` if it is still waiting; False when someone else was first."""
        result = cast(
            CursorResult[Any],
            self.session.execute(
                update(LiveChatRow)
                .where(LiveChatRow.id == chat_id, LiveChatRow.status == ChatStatus.WAITING.value)
                .values(status=ChatStatus.ACTIVE.value, agent=agent, agent_label=label, accepted_at=now)
            ),
        )
        return result.rowcount == 1

    def try_finish(self, chat_id: int, from_status: ChatStatus, to: ChatStatus, by: str, now: datetime) -> bool:
        """Ends (or times out) the chat if it is still in `from_status`; False when it moved meanwhile."""
        result = cast(
            CursorResult[Any],
            self.session.execute(
                update(LiveChatRow)
                .where(LiveChatRow.id == chat_id, LiveChatRow.status == from_status.value)
                .values(status=to.value, ended_at=now, ended_by=by)
            ),
        )
        return result.rowcount == 1

    def save_outcome(self, chat: LiveChat) -> None:
        """The fields that change after the chat ends: the complaint made from it and the rating."""
        row = self.session.get_one(LiveChatRow, chat.id)
        row.complaint_ticket, row.rating, row.rated_at = chat.complaint_ticket, chat.rating, chat.rated_at

    # messages and audit
    def add_message(
        self, chat_id: int, at: datetime, author: str, text: str, agent: str | None = None, event_key: str | None = None
    ) -> LiveMessage:
        row = LiveMessageRow(chat_id=chat_id, at=at, author=author, text=text, agent=agent, event_key=event_key)
        self.session.add(row)
        self.session.flush()
        return _message(row)

    def has_event(self, event_key: str) -> bool:
        return self.session.scalar(select(LiveMessageRow.id).where(LiveMessageRow.event_key == event_key)) is not None

    def mark_delivered(self, message_id: int, delivered: bool) -> None:
        self.session.execute(update(LiveMessageRow).where(LiveMessageRow.id == message_id).values(delivered=delivered))

    def messages(self, chat_id: int, after_id: int = 0) -> list[LiveMessage]:
        rows = self.session.scalars(
            select(LiveMessageRow)
            .where(LiveMessageRow.chat_id == chat_id, LiveMessageRow.id > after_id)
            .order_by(LiveMessageRow.id)
        )
        return [_message(row) for row in rows]

    def audit(self, chat_id: int, at: datetime, actor: str, action: str, detail: dict[str, Any]) -> None:
        self.session.add(HandoffAuditRow(chat_id=chat_id, at=at, actor=actor, action=action, detail=detail))

    def audit_trail(self, chat_id: int) -> list[HandoffAuditRow]:
        return list(
            self.session.scalars(
                select(HandoffAuditRow).where(HandoffAuditRow.chat_id == chat_id).order_by(HandoffAuditRow.id)
            )
        )
