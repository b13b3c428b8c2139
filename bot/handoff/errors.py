"""Errors of the live hand-off; the edges (actions, desk API) translate them.

HandoffError             base of everything below
├── OutsideOpeningHours  a person was asked for outside the desk's opening hours
├── NoAgentAvailable     within hours, but no agent is available to take chats
├── ChatNotFound         no live chat with that id (or none for that conversation)
├── AlreadyTaken         another agent accepted the chat first (two accepted at once: one wins)
├── NotHoldingChat       only the agent who accepted a chat may write to it or end it
├── ChatNotOpen          the chat is not in a state that allows the step (e.g. ended)
├── AtCapacity           the agent already holds their maximum of concurrent chats
└── InvalidRating        a satisfaction answer outside 1-5, or no ended chat to rate
"""

from __future__ import annotations


class HandoffError(Exception):
    """Base class of every hand-off error."""


class OutsideOpeningHours(HandoffError):
    def __init__(self, hours: str) -> None:
        super().__init__(f"live agents answer {hours} Beijing time")
        self.hours = hours


class NoAgentAvailable(HandoffError):
    def __init__(self) -> None:
        super().__init__("no agent is available")


class ChatNotFound(HandoffError):
    def __init__(self, what: str) -> None:
        super().__init__(f"no live chat {what}")


class AlreadyTaken(HandoffError):
    def __init__(self, chat_id: int) -> None:
        super().__init__(f"live chat {chat_id} was accepted by another agent or is no longer waiting")
        self.chat_id = chat_id


class NotHoldingChat(HandoffError):
    def __init__(self, chat_id: int) -> None:
        super().__init__(f"live chat {chat_id} is held by another agent")
        self.chat_id = chat_id


class ChatNotOpen(HandoffError):
    def __init__(self, chat_id: int, status: str, wanted: str) -> None:
        super().__init__(f"live chat {chat_id} is {status}: cannot {wanted}")
        self.chat_id, self.status = chat_id, status


class AtCapacity(HandoffError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"you already hold {limit} chats, your maximum")
        self.limit = limit


class InvalidRating(HandoffError):
    pass


class InvalidRequest(HandoffError):
    pass
