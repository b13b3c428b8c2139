"""The web chat's socket.io channel on a real Sanic server with a real socket.io client (server environment).

A small fake bot stands behind the channel (it records each message in Rasa's in-memory
tracker store and answers); the real bot is exercised by tests/e2e/test_embedded_widget_in_browser.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import socketio
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.server import configure_cors
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered

from common.origins import OriginError, allowed_origins, parse_origins
from rasa_server.channels.webchat import WebChatInput
from tests.server.sanic_serving import bare_app, serving

pytestmark = pytest.mark.anyio
ALLOWED = "https://www.operator.example.cn"
FOREIGN = "https://attacker.example.com"


class EchoBot:
    """Stands for Rasa's agent: keeps each conversation in Rasa's in-memory tracker store and answers."""

    def __init__(self) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.calls: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.calls.append(message)
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(
            UserUttered(
                message.text,
                input_channel=message.input_channel,
                message_id=message.message_id,
                metadata=message.metadata,
            )
        )
        await asyncio.sleep(0.05)
        buttons = [{"title": "5G覆盖", "payload": "/ask_coverage"}]
        tracker.update(BotUttered(f"收到：{message.text}", data={"buttons": buttons}))
        await self.tracker_store.save(tracker)
        await message.output_channel.send_text_with_buttons(message.sender_id, f"收到：{message.text}", buttons)


@asynccontextmanager
async def serve(channel: WebChatInput, bot: EchoBot) -> AsyncIterator[str]:
    """The channel's blueprint on a bare Sanic app on 127.0.0.1, as Rasa mounts it."""
    app = bare_app("webchat_test")
    app.ctx.agent = SimpleNamespace(tracker_store=bot.tracker_store)
    configure_cors(app, "*")  # as `rasa run --cors "*"` (scripts/run.sh) does
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/socketio")
    async with serving(app) as url:
        yield url


class Client:
    """A socket.io client as the widget uses it, recording what the server emits."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        for name in ("session_confirm", "session_refused", "bot_uttered", "bot_typing", "message_refused"):
            self.sio.on(name, self.recorder(name))

    def recorder(self, name: str) -> Any:
        async def record(data: Any = None) -> None:
            self.events.append((name, data))

        return record

    def got(self, name: str) -> list[Any]:
        return [data for event, data in self.events if event == name]

    async def wait_for(self, name: str, count: int = 1) -> list[Any]:
        for _ in range(200):
            if len(self.got(name)) >= count:
                return self.got(name)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {name} in {self.events}")


@pytest.fixture
def bot() -> EchoBot:
    return EchoBot()


@pytest.fixture
def channel() -> WebChatInput:
    return WebChatInput(origins=[ALLOWED])


async def connected(url: str, origin: str | None, transports: list[str]) -> Client:
    client = Client()
    headers = {"Origin": origin} if origin else {}
    await client.sio.connect(url, headers=headers, transports=transports, wait_timeout=5)
    return client


@pytest.mark.parametrize("transport", ["polling", "websocket"])
async def test_a_page_from_an_allowed_origin_connects_and_chats(channel, bot, transport):
    async with serve(channel, bot) as url:
        client = await connected(url, ALLOWED, [transport])
        session = uuid.uuid4().hex
        await client.sio.emit("session_request", {"session_id": session})
        assert await client.wait_for("session_confirm") == [session]
        ack = await client.sio.call("user_uttered", {"message": "你好", "metadata": {"language": "zh"}}, timeout=5)
        assert ack == {"ok": True}
        assert (await client.wait_for("bot_uttered"))[0]["text"] == "收到：你好"
        assert client.got("bot_typing") == [{"typing": True}, {"typing": False}]
        assert bot.calls[0].sender_id == session and bot.calls[0].input_channel == "socketio"
        await client.sio.disconnect()


@pytest.mark.parametrize("transport", ["polling", "websocket"])
async def test_a_page_from_another_origin_is_refused_at_the_handshake(channel, bot, transport):
    async with serve(channel, bot) as url:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await connected(url, FOREIGN, [transport])
        assert bot.calls == []


async def test_the_polling_handshake_answers_400_to_another_origin_and_names_no_other(channel, bot):
    async with serve(channel, bot) as url, aiohttp.ClientSession() as http:
        handshake = f"{url}/socket.io/?EIO=4&transport=polling"
        async with http.get(handshake, headers={"Origin": FOREIGN}) as refused:
            assert refused.status == 400
            assert "Access-Control-Allow-Origin" not in refused.headers
        async with http.get(handshake, headers={"Origin": ALLOWED}) as accepted:
            assert accepted.status == 200
            # One header naming the page: a second one (Rasa's --cors) would make browsers drop the response.
            assert accepted.headers.getall("Access-Control-Allow-Origin") == [ALLOWED]


@pytest.mark.parametrize("session_id", ["", "abc", "o_wechat_openid_123", "A" * 32, "../" * 11, None, 42])
async def test_a_session_id_that_is_not_the_widgets_random_id_is_refused(channel, bot, session_id):
    async with serve(channel, bot) as url:
        client = await connected(url, ALLOWED, ["websocket"])
        await client.sio.emit("session_request", {"session_id": session_id})
        refused = await client.wait_for("session_refused")
        assert refused[0]["error"] == "invalid_session"
        ack = await client.sio.call("user_uttered", {"message": "hi", "session_id": session_id}, timeout=5)
        assert ack["error"] == "no_session"
        assert bot.calls == []
        await client.sio.disconnect()


async def test_the_visitors_other_tabs_see_the_message_and_the_answer(channel, bot):
    async with serve(channel, bot) as url:
        session = uuid.uuid4().hex
        tabs = [await connected(url, ALLOWED, ["websocket"]) for _ in range(2)]
        for tab in tabs:
            await tab.sio.emit("session_request", {"session_id": session})
            await tab.wait_for("session_confirm")
        tabs[0].sio.on("user_echo", tabs[0].recorder("user_echo"))
        tabs[1].sio.on("user_echo", tabs[1].recorder("user_echo"))
        await tabs[0].sio.call(
            "user_uttered", {"message": "怎么查5G覆盖", "message_id": "m-9", "metadata": {"shown": "5G覆盖"}}
        )
        await tabs[1].wait_for("bot_uttered")
        assert tabs[1].got("user_echo") == [{"text": "5G覆盖", "id": "m-9"}]
        assert tabs[0].got("user_echo") == []
        for tab in tabs:
            await tab.sio.disconnect()


async def test_a_socket_writes_only_to_the_session_it_asked_for(channel, bot):
    async with serve(channel, bot) as url:
        client = await connected(url, ALLOWED, ["websocket"])
        mine, other = uuid.uuid4().hex, uuid.uuid4().hex
        await client.sio.emit("session_request", {"session_id": mine})
        await client.wait_for("session_confirm")
        await client.sio.call("user_uttered", {"message": "hello", "session_id": other}, timeout=5)
        assert [call.sender_id for call in bot.calls] == [mine]
        await client.sio.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [("", "empty_message"), ("   ", "empty_message"), (None, "invalid_message"), (["x"], "invalid_message"),
     ("长" * 2001, "message_too_long")],
)  # fmt: skip
async def test_bad_messages_get_a_clear_refusal_and_never_reach_the_bot(channel, bot, message, code):
    async with serve(channel, bot) as url:
        client = await connected(url, ALLOWED, ["websocket"])
        await client.sio.emit("session_request", {"session_id": uuid.uuid4().hex})
        await client.wait_for("session_confirm")
        ack = await client.sio.call("user_uttered", {"message": message}, timeout=5)
        assert ack["error"] == code
        refusal = (await client.wait_for("message_refused"))[0]
        assert refusal["error"] == code and refusal["message"]
        assert bot.calls == []
        await client.sio.disconnect()


async def test_history_returns_the_sessions_own_messages_with_button_titles_not_payloads(channel, bot):
    async with serve(channel, bot) as url:
        first = await connected(url, ALLOWED, ["websocket"])
        session = uuid.uuid4().hex
        await first.sio.emit("session_request", {"session_id": session})
        await first.wait_for("session_confirm")
        await first.sio.call("user_uttered", {"message": "/session_start"}, timeout=5)
        await first.sio.call("user_uttered", {"message": "我的号码138 0013 8000"}, timeout=5)
        await first.sio.call("user_uttered", {"message": "/ask_coverage", "metadata": {"shown": "5G覆盖"}}, timeout=5)
        await first.sio.disconnect()

        stranger = await connected(url, ALLOWED, ["websocket"])
        await stranger.sio.emit("session_request", {"session_id": uuid.uuid4().hex})
        await stranger.wait_for("session_confirm")
        assert (await stranger.sio.call("history_request", {"session_id": session}, timeout=5))["messages"] == []
        await stranger.sio.disconnect()

        again = await connected(url, ALLOWED, ["websocket"])
        await again.sio.emit("session_request", {"session_id": session})
        await again.wait_for("session_confirm")
        history = (await again.sio.call("history_request", {}, timeout=5))["messages"]
        assert [(m["sender"], m["text"]) for m in history] == [
            ("bot", "收到：/session_start"),
            ("user", "我的号码138 0013 8000"),
            ("bot", "收到：我的号码138 0013 8000"),
            ("user", "5G覆盖"),
            ("bot", "收到：/ask_coverage"),
        ]
        assert history[-1]["quick_replies"] == [{"title": "5G覆盖", "payload": "/ask_coverage"}]
        await again.sio.disconnect()


async def test_a_message_resent_after_a_drop_is_not_processed_twice(channel, bot):
    async with serve(channel, bot) as url:
        client = await connected(url, ALLOWED, ["websocket"])
        await client.sio.emit("session_request", {"session_id": uuid.uuid4().hex})
        await client.wait_for("session_confirm")
        message = {"message": "携号转网", "message_id": "m-1"}
        assert await client.sio.call("user_uttered", message, timeout=5) == {"ok": True}
        resent = await client.sio.call("user_uttered", {**message, "retry": True}, timeout=5)
        assert resent == {"ok": True, "duplicate": True}
        assert await client.sio.call("user_uttered", {**message, "message_id": "m-2", "retry": True}, timeout=5) == {
            "ok": True
        }
        assert [call.text for call in bot.calls] == ["携号转网", "携号转网"]
        await client.sio.disconnect()


async def test_a_binary_packet_closes_the_connection_and_nothing_waits_in_memory(channel, bot):
    async with serve(channel, bot) as url:
        client = await connected(url, ALLOWED, ["websocket"])
        await client.sio.emit("session_request", {"session_id": uuid.uuid4().hex})
        await client.wait_for("session_confirm")
        # a binary event announcing one attachment that never comes (CVE-2026-48804)
        await client.sio.eio.send('51-["user_uttered",{"_placeholder":true,"num":0}]')
        for _ in range(100):
            if not client.sio.connected:
                break
            await asyncio.sleep(0.02)
        assert not client.sio.connected
        assert channel.sio._binary_packet == {}
        assert bot.calls == []


def test_allowed_origins_come_from_the_setting_normalised():
    assert parse_origins("https://www.Operator.cn/, http://shop.operator.cn:8081 https://www.operator.cn:443") == [
        "https://www.operator.cn",
        "http://shop.operator.cn:8081",
    ]
    assert allowed_origins({"ALLOWED_ORIGINS": "https://a.cn", "WEB_PORT": "9000"}) == ["https://a.cn"]


def test_without_the_setting_only_the_bots_own_page_on_this_machine_is_allowed():
    assert allowed_origins({"WEB_PORT": "9000"}) == ["http://127.0.0.1:9000", "http://localhost:9000"]


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "www.operator.cn",
        "https://www.operator.cn/chat",
        "ftp://x.cn",
        "https://",
        "https://a'b.cn",
        "http://a b.cn",
    ],
)
def test_an_allowed_origins_entry_that_is_not_an_origin_is_refused_with_the_reason(value):
    with pytest.raises(OriginError, match="origin|ALLOWED_ORIGINS"):
        parse_origins(value)


def test_the_committed_credentials_file_opens_the_web_chat_to_the_allowed_origins_only(monkeypatch):
    from rasa.core.run import create_http_input_channels

    credentials = str(Path(__file__).resolve().parents[2] / "credentials.yml")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://www.operator.cn, https://m.operator.cn")
    channels = {channel.name(): channel for channel in create_http_input_channels(None, credentials)}
    assert isinstance(channels["socketio"], WebChatInput)
    assert channels["socketio"].origins == ["https://www.operator.cn", "https://m.operator.cn"]
    monkeypatch.setenv("ALLOWED_ORIGINS", "*")
    with pytest.raises(OriginError, match="list the operator's sites"):
        create_http_input_channels(None, credentials)
