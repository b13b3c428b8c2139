"""A bare Sanic app serving one WeChat channel's blueprint, with a fake bot behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import UserMessage

from rasa_server.channels.wechat import WeChatInputBase
from tests.server.sanic_serving import bare_app, serving

# Test accounts (made up; the EncodingAESKeys are 43 base64 characters as the consoles generate them).
OA = {
    "token": "Wx5gTestToken",
    "aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "app_id": "wx1234567890abcdef",
    "app_secret": "test-app-secret",
}
WECOM = {
    "token": "WeCom5gToken",
    "aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "corp_id": "ww0123456789abcdef",
    "agent_id": 1000002,
    "secret": "test-corp-secret",
}

Reply = list[tuple[str, list[dict[str, str]] | None]]


class FakeBot:
    """Stands for Rasa's agent: records each UserMessage, waits `delay`, answers with `reply`."""

    def __init__(self, delay: float = 0.0, reply: Callable[[UserMessage], Reply] | None = None) -> None:
        self.delay = delay
        self.reply = reply or (lambda message: [(f"收到：{message.text}", None)])
        self.calls: list[UserMessage] = []
        self.fail = False

    async def __call__(self, message: UserMessage) -> None:
        self.calls.append(message)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the bot broke")
        for text, buttons in self.reply(message):
            if buttons:
                await message.output_channel.send_text_with_buttons(message.sender_id, text, buttons)
            else:
                await message.output_channel.send_text_message(message.sender_id, text)

    @property
    def texts(self) -> list[str]:
        return [str(call.text) for call in self.calls]


@dataclass
class Served:
    url: str
    http: aiohttp.ClientSession

    async def post(self, query: str, body: bytes) -> tuple[int, str]:
        async with self.http.post(
            f"{self.url}/webhook?{query}", data=body, headers={"Content-Type": "text/xml"}
        ) as response:
            return response.status, await response.text()

    async def get(self, query: str) -> tuple[int, str]:
        async with self.http.get(f"{self.url}/webhook?{query}") as response:
            return response.status, await response.text()


@asynccontextmanager
async def serve(channel: WeChatInputBase, bot: Any) -> AsyncIterator[Served]:
    """The channel's blueprint on a bare Sanic app on 127.0.0.1, as Rasa mounts it."""
    app = bare_app("wechat_test")
    app.blueprint(channel.blueprint(bot), url_prefix=f"/webhooks/{channel.name()}")
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield Served(f"{url}/webhooks/{channel.name()}", http)
