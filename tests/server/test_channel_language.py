"""The channels pass the language of the user's words with each message, for the welcome of a new session."""

import asyncio

import pytest
from rasa.core.channels.channel import UserMessage

from rasa_server.channels.language import adding_language, with_language


@pytest.mark.parametrize(
    ("text", "client", "expected"),
    [
        ("I agree, how do I check 5G coverage?", None, "en"),
        ("how do I check 5G coverage", "zh", "en"),
        ("我家5G信号很差", "en", "zh"),
        ("華為Mate 40能用5G嗎", None, "zh"),
        ("👍", "en", "en"),
        ("/session_start", "en", "en"),
        ("13812345678", None, None),
    ],
)
def test_the_words_decide_the_language_and_wordless_messages_keep_the_clients(text, client, expected):
    metadata = {"channel": "web", **({"language": client} if client else {})}
    result = with_language(text, metadata)
    assert result.get("language") == expected
    assert result["channel"] == "web" and metadata.get("language") == client, "the client's dict is not changed"


def test_the_web_chat_adds_the_typed_language_over_the_browsers():
    asyncio.run(_web_chat_messages())


async def _web_chat_messages():
    received = []

    async def on_new_message(message):
        received.append(message)

    handle = adding_language(on_new_message)
    await handle(UserMessage("how do I check 5G coverage", metadata={"language": "zh", "channel": "web"}))
    await handle(UserMessage("👍", metadata={"language": "en"}))
    assert [m.metadata["language"] for m in received] == ["en", "en"]
    assert received[0].metadata["channel"] == "web"
