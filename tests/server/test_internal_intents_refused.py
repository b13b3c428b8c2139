"""A user cannot type the intents that take a conversation back from an agent or fake the desk's
steps ("/restart", "/handoff_ended", ...), on any channel (rasa_server/channels/guard.py)."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from rasa_server.channels.guard import internal_intent, refusing_internal_intents
from rasa_server.channels.rest import ValidatedRestInput
from rasa_server.channels.webchat import WebChatInput
from rasa_server.channels.wechat import WeChatOfficialAccountInput
from rasa_server.channels.wechat.config import ChannelOptions, OfficialAccountConfig
from rasa_server.channels.wechat.state import MemoryState
from tests.server.sanic_serving import bare_app, serving
from tests.server.test_webchat_channel import ALLOWED, EchoBot, connected
from tests.server.test_webchat_channel import serve as serve_webchat
from tests.server.wechat_harness import OA, FakeBot
from tests.server.wechat_harness import serve as serve_wechat
from tests.wechat_sim import OfficialAccountSimulator, new_msg_id

pytestmark = pytest.mark.anyio
INTERNAL = [
    "/restart",
    "  /restart",
    "／restart",
    "/RESTART",
    '/handoff_ended{"by": "user"}',
    "/handoff_unavailable@0.9",
]


@pytest.mark.parametrize("text", INTERNAL)
def test_internal_intents_are_recognised_however_they_are_typed(text):
    assert internal_intent(text) in {"restart", "handoff_ended", "handoff_unavailable"}


@pytest.mark.parametrize("text", ["/affirm", "/request_human", "/session_start", "/choose{}", "restart", "转人工", ""])
def test_the_buttons_payloads_and_words_are_not_internal(text):
    assert internal_intent(text) is None


@pytest.mark.parametrize(("language", "words"), [("zh", "不能由用户发送"), ("en", "can't be sent by a user")])
async def test_a_refused_message_never_reaches_the_bot_and_the_user_is_told(language, words):
    reached: list[UserMessage] = []

    async def bot(message: UserMessage) -> None:
        reached.append(message)

    output = CollectingOutputChannel()
    guarded = refusing_internal_intents(bot)
    await guarded(UserMessage("/restart", output, "u1", metadata={"language": language}))
    await guarded(UserMessage("/affirm", output, "u1", metadata={"language": language}))
    assert [m.text for m in reached] == ["/affirm"]
    assert words in output.messages[0]["text"]


async def test_the_rest_channel_refuses_them(api):
    bot = FakeBot()
    app = bare_app("rest_test")
    app.blueprint(ValidatedRestInput().blueprint(bot), url_prefix="/webhooks/rest")
    async with serving(app) as base, aiohttp.ClientSession() as http:
        url = f"{base}/webhooks/rest/webhook"
        async with http.post(url, json={"sender": "u-rest", "message": "/restart"}) as response:
            refused = await response.json()
        async with http.post(url, json={"sender": "u-rest", "message": "/affirm"}) as response:
            passed = await response.json()
    assert bot.texts == ["/affirm"]
    assert "不能由用户发送" in refused[0]["text"] and passed[0]["text"] == "收到：/affirm"


async def test_the_web_chat_refuses_them():
    bot = EchoBot()
    async with serve_webchat(WebChatInput(origins=[ALLOWED]), bot) as url:
        client = await connected(url, ALLOWED, ["websocket"])
        await client.sio.emit("session_request", {"session_id": uuid.uuid4().hex})
        await client.wait_for("session_confirm")
        await client.sio.call("user_uttered", {"message": '/handoff_ended{"by": "user"}'}, timeout=5)
        note = (await client.wait_for("bot_uttered"))[0]
        await client.sio.disconnect()
    assert bot.calls == []
    assert "不能由用户发送" in note["text"]


async def test_the_official_account_refuses_them(api):
    config = OfficialAccountConfig(OA["app_id"], OA["app_secret"], OA["token"], OA["aes_key"], api_base=api.url)
    channel = WeChatOfficialAccountInput(config, ChannelOptions(), state=MemoryState())
    sim = OfficialAccountSimulator(OA["token"], OA["aes_key"], OA["app_id"])
    bot = FakeBot()
    async with serve_wechat(channel, bot) as served:
        push = sim.push(sim.text("oGuard" + uuid.uuid4().hex[:20], "/restart", new_msg_id()))
        status, body = await served.post(push.query, push.body)
    assert status == 200 and bot.calls == []
    assert "不能由用户发送" in sim.read_reply(body)["Content"]
