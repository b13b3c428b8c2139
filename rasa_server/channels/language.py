"""The language of a message, passed to the bot with it as metadata.

A session starts before the NLU has read the message that starts it, so the welcome
(action_session_start, which reads the first message's metadata from the
`session_started_metadata` slot) would otherwise be in the conversation's old or
default language. Every channel adds the language of the user's words, by the same
script rule as the NLU component (rasa_server.nlu.text.detect_language); a message with no
words (an emoji, a number, a button payload) keeps what the client said, if anything
(the chat page sends the browser's language).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from rasa_server.nlu.text import detect_language, normalise


def with_language(text: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The metadata to send with `text`, with "language" set from its words when they have one."""
    merged = dict(metadata or {})
    language = detect_language(normalise(text or "")) if text else None
    if language:
        merged["language"] = language
    return merged


def adding_language(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """`on_new_message` that first sets each message's language in its metadata (`with_language`)."""

    async def handle(message: UserMessage) -> Any:
        message.metadata = with_language(message.text or "", message.metadata)
        return await on_new_message(message)

    return handle
