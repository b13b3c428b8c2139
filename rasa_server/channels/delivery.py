"""Messages the bot did not answer a user message with (an agent's, the bot's after a hand-off),
pushed to the user on the channel of their conversation.

- socket.io (the web chat): emitted to the room of the session id. The channel's server uses
  python-socketio's `AsyncRedisManager` when REDIS_URL is set, so whichever Rasa process holds
  the user's socket receives it; a process without the socket channel emits through a
  write-only Redis manager.
- WeChat Official Account, WeCom app, 微信客服: the channels' own API clients (customer-service
  message, app message, send_msg), with their access tokens and reply-window rules.
- REST: nothing can be pushed; the client reads the conversation from the tracker.

`deliver` says whether the messages went out; they are in the tracker either way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from rasa.core.channels.channel import InputChannel
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

SOCKET_EVENT = "bot_uttered"


class Pusher(Protocol):
    """A channel that can send messages to a user outside a turn."""

    async def push(self, tracker: DialogueStateTracker, messages: list[dict[str, Any]]) -> bool: ...


def socket_payload(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the web chat receives it from Rasa's socket.io channel (buttons as quick replies)."""
    payload: dict[str, Any] = {"text": str(message.get("text") or "")}
    buttons = message.get("buttons") or message.get("quick_replies") or []
    if buttons:
        payload["quick_replies"] = [
            {"content_type": "text", "title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
            if isinstance(b, dict)
        ]
    metadata = message.get("metadata") or {}
    if metadata.get("author") == "agent":
        payload["metadata"] = {"author": "agent", "agent": str(metadata.get("agent") or "")}
    return payload


class RedisSocketEmitter:
    """Emits to a socket.io room through Redis without a socket server of its own (write-only)."""

    def __init__(self, redis_url: str, event: str = SOCKET_EVENT) -> None:
        self.redis_url = redis_url
        self.event = event
        self._manager: Any = None

    def manager(self) -> Any:
        if self._manager is None:
            import socketio

            self._manager = socketio.AsyncRedisManager(self.redis_url, write_only=True)
        return self._manager

    async def push(self, tracker: DialogueStateTracker, messages: list[dict[str, Any]]) -> bool:
        for message in messages:
            await self.manager().emit(self.event, socket_payload(message), namespace="/", room=tracker.sender_id)
        return True


class Delivery:
    """Finds the pusher of a conversation's channel among the server's input channels."""

    def __init__(self, channels: Iterable[InputChannel], redis_url: str | None = None) -> None:
        self.channels = {channel.name(): channel for channel in channels}
        self.redis_url = redis_url
        self._emitter: RedisSocketEmitter | None = None

    def pusher(self, channel_name: str | None) -> Pusher | None:
        channel = self.channels.get(channel_name or "")
        if channel is not None and callable(getattr(channel, "push", None)):
            return channel  # type: ignore[return-value]
        if channel_name == "socketio" and self.redis_url:
            if self._emitter is None:
                self._emitter = RedisSocketEmitter(self.redis_url)
            return self._emitter
        return None

    async def deliver(self, tracker: DialogueStateTracker, messages: list[dict[str, Any]]) -> bool:
        """True when every message went out on the conversation's channel."""
        if not messages:
            return True
        channel_name = tracker.get_latest_input_channel()
        pusher = self.pusher(channel_name)
        if pusher is None:
            logger.info("hand-off: no push on the %s channel; the message waits in the tracker", channel_name)
            return False
        try:
            return await pusher.push(tracker, messages)
        except Exception:
            logger.exception("hand-off: delivery on the %s channel failed", channel_name)
            return False
