"""Refuses user-typed `/intent` messages that would change the hand-off state (every channel).

Rasa reads a message that starts with "/" as an intent, whoever typed it. The buttons and
menus of this bot send a few on purpose (`/affirm`, `/request_human`, ...), but these must
only come from the server itself:
- `restart`: the one intent a paused conversation still acts on (Rasa's
  `MessageProcessor._should_handle_message`); a user typing it would take the conversation
  back from the agent;
- `handoff_*`: the hand-off endpoint's intents (an agent ended the chat, nobody accepted it),
  triggered by rasa_server/channels/handoff.py, never by a user.
A refused message is answered with a short note and never reaches the bot or the tracker.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from rasa_server.messages import say

logger = logging.getLogger(__name__)

INTERNAL_INTENTS = frozenset({"restart"})
INTERNAL_PREFIXES = ("handoff_",)
INTENT_NAME = re.compile(r"^\s*/\s*([^{@\s]+)")


def internal_intent(text: str | None) -> str | None:
    """The internal intent that `text` would trigger, if any ("/restart", "／handoff_ended{...}")."""
    match = INTENT_NAME.match(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return None
    name = match.group(1).lower()
    if name in INTERNAL_INTENTS or name.startswith(INTERNAL_PREFIXES):
        return name
    return None


def refusing_internal_intents(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    """`on_new_message` that answers a user's internal `/intent` with a note instead of passing it on."""

    async def handle(message: UserMessage) -> Any:
        name = internal_intent(message.text)
        if name is None:
            return await on_new_message(message)
        logger.warning("refused the internal intent /%s typed on the %s channel", name, message.input_channel)
        language = (message.metadata or {}).get("language")
        note = say("refused.internal_intent", language if isinstance(language, str) else None)
        await message.output_channel.send_text_message(message.sender_id, note)
        return None

    return handle
