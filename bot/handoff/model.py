"""A live chat and its lifecycle, in plain Python (no database, no Rasa).

    waiting ──accept──▶ active ──end──▶ ended ──rate──▶ (rating stored)
       │
       ├──(no agent accepted in time)──▶ timed_out
       └──(the user asked again later)── returned as it is, never duplicated

`closed_hours` and `no_agent` record requests that could not be queued (outside opening
hours, nobody available), so the statistics count every request for a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Literal

Author = Literal["user", "agent", "bot", "system"]
CHANNELS = ("rest", "socketio", "wechat_oa", "wecom", "wecom_kf")
LANGUAGES = ("zh", "en")
DEFAULT_MAX_CHATS = 3


class ChatStatus(str, Enum):
    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"
    TIMED_OUT = "timed_out"
    CLOSED_HOURS = "closed_hours"
    NO_AGENT = "no_agent"


OPEN_STATUSES = (ChatStatus.WAITING, ChatStatus.ACTIVE)


class PresenceStatus(str, Enum):
    AVAILABLE = "available"
    AWAY = "away"


@dataclass(frozen=True)
class Presence:
    agent: str
    status: PresenceStatus
    max_chats: int
    updated_at: datetime
    # When the agent's console last showed it was open (its live stream); a closed console stops counting.
    seen_at: datetime | None = None


@dataclass(frozen=True)
class LiveMessage:
    id: int
    chat_id: int
    at: datetime
    author: Author
    text: str
    agent: str | None = None
    delivered: bool | None = None


@dataclass
class LiveChat:
    id: int
    conversation_id: str
    channel: str
    language: str
    status: ChatStatus
    requested_at: datetime
    context: dict[str, Any] = field(default_factory=dict)
    accepted_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    agent: str | None = None
    agent_label: str | None = None
    complaint_ticket: str | None = None
    rating: int | None = None
    rated_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def waiting_seconds(self, now: datetime) -> float:
        return ((self.accepted_at or self.ended_at or now) - self.requested_at).total_seconds()


@dataclass(frozen=True)
class Queued:
    """What the bot tells a user whose request was queued: the chat and their place in the queue (1 = next)."""

    chat_id: int
    position: int


@dataclass(frozen=True)
class ChatView:
    """A live chat as the bot and the desk show it; texts with phone numbers masked."""

    chat: LiveChat
    position: int | None
    messages: list[LiveMessage]
