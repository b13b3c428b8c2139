"""The hand-off endpoint (rasa_server/channels/handoff.py) on a real Sanic server with the project's
channels mounted as Rasa mounts them (server environment).

The agent is Rasa's stores, domain and response generator without a model (`LightAgent`); the
tests marked `model` use the trained model's processor for the turns `end`/`unavailable` start.
The platforms are the local fakes: a socket.io client, the WeChat API fake, a second process
holding a socket that only Redis reaches.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import socketio
from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, register
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.channels.handoff import HandoffInput
from rasa_server.channels.rest import ValidatedRestInput
from rasa_server.channels.webchat import WebChatInput
from rasa_server.channels.wechat import WeChatOfficialAccountInput, WeComInput, WeComKfInput
from rasa_server.channels.wechat.config import ChannelOptions, OfficialAccountConfig, WeComConfig, WeComKfConfig
from rasa_server.channels.wechat.state import MemoryState
from tests.e2e.servers import free_port
from tests.server.sanic_serving import bare_app, serving
from tests.server.wechat_harness import OA, WECOM

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "bot.tar.gz"
SECRET = "s3cret-" + uuid.uuid4().hex
ORIGIN = "http://127.0.0.1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
KF_AES_KEY = WECOM["aes_key"]


class LightAgent:
    """Rasa's agent as the endpoint uses it, without a model: real stores, domain and response generator."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.tracker_store = InMemoryTrackerStore(domain)
        self.lock_store = InMemoryLockStore()
        self.processor = SimpleNamespace(
            nlg=TemplatedNaturalLanguageGenerator(domain.responses), save_tracker=self.tracker_store.save
        )

    def is_ready(self) -> bool:
        return True


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def agent(domain: Domain) -> LightAgent:
    return LightAgent(domain)


@asynccontextmanager
async def serve(agent: Any, *channels: InputChannel) -> AsyncIterator[str]:
    """The channels on a bare Sanic app under /webhooks/, with `agent` in app.ctx, as `rasa run` does."""
    app = bare_app("handoff_test")
    app.ctx.agent = agent
    register(list(channels), app, route="/webhooks/")
    async with serving(app) as url:
        yield url


async def post(url: str, verb: str, body: dict[str, Any], secret: str | None = SECRET) -> tuple[int, dict]:
    headers = {"X-Handoff-Secret": secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/webhooks/handoff/{verb}", json=body, headers=headers) as response:
            return response.status, await response.json()


async def conversation(
    agent: Any,
    channel: str,
    language: str = "zh",
    paused: bool = True,
    sender: str | None = None,
    metadata: dict[str, Any] | None = None,
    said_at: float | None = None,
) -> str:
    """A conversation whose user asked for a person on `channel` (paused: handed over)."""
    sender = sender or uuid.uuid4().hex
    tracker = DialogueStateTracker(sender, agent.domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    intent = {"name": "request_human", "confidence": 1.0}
    tracker.update(
        UserUttered("转人工", intent, input_channel=channel, metadata=metadata or {}, timestamp=said_at or time.time())
    )
    tracker.update(SlotSet("language", language))
    tracker.update(ActionExecuted("action_request_live_chat"))
    tracker.update(BotUttered("正在为您转接人工客服" if paused else "现在没有可以接待的人工客服"))
    if paused:  # as Rasa stores it: the bot stops after the pausing action, before any action_listen
        tracker.update(ConversationPaused())
        said = {"input_channel": channel, "metadata": metadata or {}, "timestamp": said_at or time.time()}
        tracker.update(UserUttered("有人吗", {"name": "nlu_fallback", "confidence": 1.0}, **said))
    else:
        tracker.update(ActionExecuted("action_listen"))
    await agent.tracker_store.save(tracker)
    return sender


def agent_says(conversation_id: str, text: str, message_id: str | None = None) -> dict[str, str]:
    return {
        "conversation_id": conversation_id,
        "agent_label": "客服007",
        "text": text,
        "message_id": message_id or uuid.uuid4().hex,
    }


async def bot_events(agent: Any, sender: str) -> list[BotUttered]:
    tracker = await agent.tracker_store.retrieve(sender)
    return [event for event in tracker.events if isinstance(event, BotUttered)]


class SocketUser:
    """The web chat in a browser: a socket.io client in its session's room, recording what it receives."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: list[dict[str, Any]] = []
        self.confirmed = asyncio.Event()
        self.sio.on("bot_uttered", self._bot)
        self.sio.on("session_confirm", self._confirm)

    async def _bot(self, data: Any = None) -> None:
        self.received.append(data)

    async def _confirm(self, data: Any = None) -> None:
        self.confirmed.set()

    async def join(self, url: str, session_id: str) -> None:
        await self.sio.connect(url, headers={"Origin": ORIGIN}, transports=["websocket"], wait_timeout=5)
        await self.sio.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(self.confirmed.wait(), 5)

    async def wait_for(self, count: int, seconds: float = 5) -> list[dict[str, Any]]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self.received


# --- the secret -------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.upper()])
async def test_without_the_secret_or_with_a_wrong_one_the_desk_is_refused(agent, secret):
    sender = await conversation(agent, "socketio")
    async with serve(agent, HandoffInput(SECRET)) as url:
        status, body = await post(url, "message", agent_says(sender, "您好"), secret=secret)
    assert status == 401 and body["error"] == "unauthorised"
    assert [e.text for e in await bot_events(agent, sender)] == ["正在为您转接人工客服"]


async def test_with_no_secret_configured_the_endpoint_stays_closed(agent):
    sender = await conversation(agent, "socketio")
    async with serve(agent, HandoffInput(None)) as url:
        status, body = await post(url, "message", agent_says(sender, "您好"), secret="")
    assert status == 503 and body["error"] == "not_configured"


async def test_an_unknown_conversation_a_conversation_with_the_bot_and_a_bad_body_are_refused(agent):
    with_bot = await conversation(agent, "socketio", paused=False)
    async with serve(agent, HandoffInput(SECRET)) as url:
        assert (await post(url, "message", agent_says("nobody-" + uuid.uuid4().hex, "hi")))[0] == 404
        assert (await post(url, "message", agent_says(with_bot, "hi")))[0] == 409
        assert (await post(url, "joined", {"conversation_id": with_bot, "agent_label": "007"}))[0] == 409
        assert (await post(url, "message", {"conversation_id": with_bot}))[0] == 400
        assert (await post(url, "end", {"conversation_id": with_bot, "by": "robot"}))[0] == 400
        assert (await post(url, "resume", {"conversation_id": with_bot}))[0] == 404
    assert [e.text for e in await bot_events(agent, with_bot)] == ["现在没有可以接待的人工客服"]


# --- delivery per channel -----------------------------------------------------------------------


async def test_an_agent_message_reaches_the_web_chat_and_is_stored_as_the_agents(agent):
    webchat = WebChatInput(origins=[ORIGIN])
    sender = await conversation(agent, "socketio")
    user = SocketUser()
    async with serve(agent, HandoffInput(SECRET), webchat) as url:
        await user.join(url, sender)
        said = agent_says(sender, "您好，我是客服，请问具体是哪里信号不好？", "m-1")
        status, body = await post(url, "message", said)
        again = await post(url, "message", said)  # the desk retried: stored once, sent again
        received = await user.wait_for(2)
        await user.sio.disconnect()
    assert (status, body) == (200, {"ok": True, "delivered": True}) and again[0] == 200
    assert received[0] == {"text": said["text"], "metadata": {"author": "agent", "agent": "客服007"}}
    stored = [e for e in await bot_events(agent, sender) if (e.metadata or {}).get("author") == "agent"]
    assert len(stored) == 1
    assert stored[0].text == said["text"]
    assert stored[0].metadata == {"author": "agent", "agent": "客服007", "message_id": "m-1"}


@pytest.mark.parametrize(
    ("language", "expected"), [("zh", "人工客服 客服007 已接入"), ("en", "Agent 客服007 has joined the chat.")]
)
async def test_the_user_is_told_in_their_language_that_the_agent_joined(agent, language, expected):
    webchat = WebChatInput(origins=[ORIGIN])
    sender = await conversation(agent, "socketio", language=language)
    user = SocketUser()
    async with serve(agent, HandoffInput(SECRET), webchat) as url:
        await user.join(url, sender)
        status, body = await post(url, "joined", {"conversation_id": sender, "agent_label": "客服007"})
        received = await user.wait_for(1)
        await user.sio.disconnect()
    assert status == 200 and body["delivered"] is True
    assert expected in received[0]["text"]
    assert expected in (await bot_events(agent, sender))[-1].text


async def test_a_rest_conversation_keeps_the_agent_message_in_the_tracker_without_a_push(agent):
    sender = await conversation(agent, "rest")
    async with serve(agent, HandoffInput(SECRET), ValidatedRestInput()) as url:
        status, body = await post(url, "message", agent_says(sender, "您好"))
    assert (status, body) == (200, {"ok": True, "delivered": False})
    assert (await bot_events(agent, sender))[-1].text == "您好"


def oa_channel(api: Any) -> WeChatOfficialAccountInput:
    config = OfficialAccountConfig(OA["app_id"], OA["app_secret"], OA["token"], OA["aes_key"], api_base=api.url)
    return WeChatOfficialAccountInput(config, ChannelOptions(), state=MemoryState())


async def test_an_agent_message_reaches_an_official_account_user_through_the_customer_service_api(agent, api):
    openid = "oHandoff" + uuid.uuid4().hex[:20]
    sender = await conversation(agent, "wechat_oa", sender=openid)
    async with serve(agent, HandoffInput(SECRET), oa_channel(api)) as url:
        status, body = await post(url, "message", agent_says(openid, "您好，我是客服007"))
    assert (status, body) == (200, {"ok": True, "delivered": True})
    assert api.texts_to(sender) == ["您好，我是客服007"]
    assert api.sent[-1]["path"] == "/cgi-bin/message/custom/send"


async def test_outside_the_48_hour_window_nothing_is_sent_to_the_official_account_user(agent, api):
    openid = "oHandoff" + uuid.uuid4().hex[:20]
    await conversation(agent, "wechat_oa", sender=openid, said_at=time.time() - 49 * 3600)
    async with serve(agent, HandoffInput(SECRET), oa_channel(api)) as url:
        status, body = await post(url, "message", agent_says(openid, "您好"))
    assert (status, body) == (200, {"ok": True, "delivered": False})
    assert api.texts_to(openid) == []
    assert (await bot_events(agent, openid))[-1].text == "您好"  # the transcript holds it all the same


async def test_a_platform_refusal_is_reported_as_not_delivered(agent, api):
    openid = "oHandoff" + uuid.uuid4().hex[:20]
    await conversation(agent, "wechat_oa", sender=openid)
    api.fail_next(45015)  # the platform's own 48-hour rule
    async with serve(agent, HandoffInput(SECRET), oa_channel(api)) as url:
        status, body = await post(url, "message", agent_says(openid, "您好"))
    assert (status, body) == (200, {"ok": True, "delivered": False})


async def test_an_agent_message_reaches_a_wecom_app_user(agent, api):
    user_id = "zhangsan" + uuid.uuid4().hex[:6]
    config = WeComConfig(
        WECOM["corp_id"], WECOM["agent_id"], WECOM["secret"], WECOM["token"], WECOM["aes_key"], api_base=api.url
    )
    await conversation(agent, "wecom", sender=user_id)
    async with serve(agent, HandoffInput(SECRET), WeComInput(config, ChannelOptions(), state=MemoryState())) as url:
        status, body = await post(url, "message", agent_says(user_id, "您好"))
    assert (status, body) == (200, {"ok": True, "delivered": True})
    assert api.sent[-1]["path"] == "/cgi-bin/message/send"
    assert api.sent[-1]["body"]["agentid"] == WECOM["agent_id"] and api.texts_to(user_id) == ["您好"]


async def test_an_agent_message_reaches_a_wechat_customer_service_user_from_their_kf_account(agent, api):
    external = "wmHandoff" + uuid.uuid4().hex[:12]
    config = WeComKfConfig(WECOM["corp_id"], "kf-secret", "KfToken5g", KF_AES_KEY, api_base=api.url)
    await conversation(agent, "wecom_kf", sender=external, metadata={"open_kfid": "wkKF0001"})
    async with serve(agent, HandoffInput(SECRET), WeComKfInput(config, ChannelOptions(), state=MemoryState())) as url:
        status, body = await post(url, "message", agent_says(external, "您好"))
    assert (status, body) == (200, {"ok": True, "delivered": True})
    assert api.sent[-1]["path"] == "/cgi-bin/kf/send_msg"
    assert api.sent[-1]["body"]["open_kfid"] == "wkKF0001" and api.texts_to(external) == ["您好"]


# --- several Rasa processes -----------------------------------------------------------------------


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def replica() -> Any:
    """A second process holding the web chat's sockets (tests/server/socket_replica.py)."""
    if not redis_available():
        pytest.fail(f"Redis is not reachable at {REDIS_URL}")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.server.socket_replica", str(port), REDIS_URL],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        import requests

        for _ in range(150):
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()[-2000:] if process.stderr else "exited")
            try:
                if requests.get(f"{url}/ready", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield SimpleNamespace(url=url, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_through_redis_an_agent_message_reaches_a_socket_held_by_another_process(agent, replica):
    sender = await conversation(agent, "socketio")
    user = SocketUser()
    await user.join(replica.url, sender)  # the socket lives in the replica process
    try:
        # This process has no web chat channel of its own: only Redis reaches the user.
        async with serve(agent, HandoffInput(SECRET, redis_url=REDIS_URL)) as url:
            status, body = await post(url, "message", agent_says(sender, "您好，来自另一个进程"))
            received = await user.wait_for(1)
    finally:
        await user.sio.disconnect()
    assert replica.pid != os.getpid()
    assert (status, body) == (200, {"ok": True, "delivered": True})
    assert received == [{"text": "您好，来自另一个进程", "metadata": {"author": "agent", "agent": "客服007"}}]


async def test_a_web_chat_with_the_redis_manager_reaches_a_socket_held_by_another_process(agent, replica):
    sender = await conversation(agent, "socketio")
    user = SocketUser()
    await user.join(replica.url, sender)
    webchat = WebChatInput(origins=[ORIGIN], redis_url=REDIS_URL)  # this process's own sockets: none
    try:
        async with serve(agent, HandoffInput(SECRET, redis_url=REDIS_URL), webchat) as url:
            status, body = await post(url, "joined", {"conversation_id": sender, "agent_label": "007"})
            received = await user.wait_for(1)
    finally:
        await user.sio.disconnect()
    assert status == 200 and body["delivered"] is True
    assert received and "007" in received[0]["text"]


# --- the turns the endpoint starts, on the trained model ------------------------------------------


@pytest.fixture(scope="module")
def trained_agent() -> Agent:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train`")
    return Agent.load(str(MODEL))


@pytest.mark.model
@pytest.mark.parametrize("language", ["zh", "en"])
async def test_nobody_accepting_resumes_the_bot_which_says_so_and_offers_the_complaint(trained_agent, language):
    webchat = WebChatInput(origins=[ORIGIN])
    sender = await conversation(trained_agent, "socketio", language=language)
    user = SocketUser()
    async with serve(trained_agent, HandoffInput(SECRET), webchat) as url:
        await user.join(url, sender)
        status, body = await post(url, "unavailable", {"conversation_id": sender, "reason": "timeout"})
        received = await user.wait_for(2)
        again = await post(url, "unavailable", {"conversation_id": sender, "reason": "timeout"})
        await user.sio.disconnect()
    assert (status, body) == (200, {"ok": True, "delivered": True})
    assert again == (200, {"ok": True, "delivered": False, "resumed": False})
    tracker = await trained_agent.tracker_store.retrieve(sender)
    assert not tracker.is_paused()
    assert any(isinstance(e, ConversationResumed) for e in tracker.events)
    assert tracker.latest_message.intent["name"] == "handoff_unavailable"
    words = {"zh": ("没能在等待时间内", "投诉记录"), "en": ("no agent could take your chat", "record a complaint")}
    honest, offer = words[language]
    assert honest in received[0]["text"]
    assert offer in received[1]["text"] and len(received[1]["quick_replies"]) == 2
