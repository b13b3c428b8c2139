"""Rasa's socket.io channel (the chat page's widget), with the language of each message added.

The widget sends the browser's language with every message; the words the user types
decide when they have a language (bot/channels/language.py), so a session started by a
message gets its welcome in the language of that message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.channels.language import with_language


class LanguageAwareSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def with_language_added(message: UserMessage) -> Any:
            message.metadata = with_language(message.text or "", message.metadata)
            return await on_new_message(message)

        return super().blueprint(with_language_added)
