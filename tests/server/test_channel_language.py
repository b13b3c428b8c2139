"""The channels pass the language of the user's words with each message, for the welcome of a new session."""

import asyncio

import pytest

from bot.channels.language import with_language
from bot.channels.socketio import LanguageAwareSocketIOInput


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


def test_the_socketio_channel_adds_the_typed_languages_over_the_browsers():
    asyncio.run(_socketio_messages())


async def _socketio_messages():

    received = []

    async def on_new_message(message):
        received.append(message)

    channel = LanguageAwareSocketIOInput(session_persistence=False)
    channel.blueprint(on_new_message)
    handle = channel.sio.handlers["/"]["user_uttered"]
    await handle("sid-1", {"message": "how do I check 5G coverage", "metadata": {"language": "zh", "channel": "web"}})
    await handle("sid-1", {"message": "/session_start", "metadata": {"language": "en"}})
    assert [m.metadata["language"] for m in received] == ["en", "en"]
    assert received[0].metadata["channel"] == "web" and received[0].input_channel == "socketio"
