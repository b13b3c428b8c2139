"""The live hand-off through the real Rasa server, action server and database, over HTTP.

A user asks for a person (the REST channel, then the Official Account through the simulator); the
desk's side is played with its own services (accept, end, expire) and its client of the Rasa
server's hand-off endpoint (bot/handoff/rasa_client.py), as the console does. The bot must pause
(the user's messages still stored), deliver the agent's messages, come back after the end and
store the rating; without a person it must say so and offer the complaint with what was said.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from bot.handoff import services
from bot.handoff.model import ChatStatus, PresenceStatus
from bot.handoff.rasa_client import RasaHandoffClient
from bot.handoff.unit_of_work import sqlalchemy_uow_factory
from tests.e2e.conftest import WECHAT_OA
from tests.e2e.servers import Servers, running_servers
from tests.e2e.test_wechat_conversation import WeChatUser, number_of
from tests.wechat_sim import FakePlatformAPI

pytestmark = pytest.mark.e2e
SECRET = secrets.token_urlsafe(24)
AGENT = "agent-e2e"
QUEUED = re.compile(r"第 (\d+) 位|number (\d+) in the queue")


@pytest.fixture(scope="module")
def oa_api() -> Iterator[FakePlatformAPI]:
    with FakePlatformAPI() as api:
        yield api


@pytest.fixture(scope="module")
def handoff_servers(tmp_path_factory: pytest.TempPathFactory, oa_api: FakePlatformAPI) -> Iterator[Servers]:
    env = {
        **WECHAT_OA,
        "WECHAT_OA_API_BASE": oa_api.url,
        "HANDOFF_SECRET": SECRET,
        "HANDOFF_HOURS": "00:00-00:00",  # always open; the hours themselves: tests/integration
        "HANDOFF_ACCEPT_TIMEOUT_SECONDS": "3600",  # the timeout is played by the test
    }
    with running_servers(tmp_path_factory.mktemp("handoff"), env_extra=env) as running:
        yield running


class Desk:
    """The agent's side: the desk's services on the app database, and its client of the Rasa endpoint."""

    def __init__(self, servers: Servers) -> None:
        self.uow = sqlalchemy_uow_factory(f"sqlite:///{servers.app_db}")
        self.rasa = RasaHandoffClient(servers.rasa_url, SECRET)

    def presence(self, status: PresenceStatus) -> None:
        now = datetime.now(timezone.utc)
        services.set_presence(self.uow(), agent=AGENT, status=status, max_chats=3, now=now)

    def waiting_chat(self, conversation_id: str) -> Any:
        view = services.live_chat_of(self.uow(), conversation_id)
        assert view is not None and view.chat.status is ChatStatus.WAITING
        return view.chat

    def accept(self, conversation_id: str, label: str) -> int:
        chat = self.waiting_chat(conversation_id)
        services.accept(self.uow(), chat_id=chat.id, agent=AGENT, label=label, now=datetime.now(timezone.utc))
        return int(chat.id)

    def end(self, chat_id: int) -> None:
        services.end_chat(self.uow(), chat_id=chat_id, agent=AGENT, now=datetime.now(timezone.utc))

    def latest_chat(self, conversation_id: str) -> Any:
        with self.uow() as uow:
            return uow.chats.latest_chat_of(conversation_id)


@pytest.fixture
def desk(handoff_servers: Servers) -> Desk:
    return Desk(handoff_servers)


def texts(messages: list[dict]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def tracker(servers: Servers, sender: str) -> dict[str, Any]:
    response = requests.get(
        f"{servers.rasa_url}/conversations/{sender}/tracker", params={"token": servers.token}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def bot_events(servers: Servers, sender: str) -> list[dict[str, Any]]:
    return [e for e in tracker(servers, sender)["events"] if e["event"] == "bot"]


def test_a_web_user_is_queued_talks_with_the_agent_and_rates_the_chat(handoff_servers, desk):
    servers, sender = handoff_servers, f"h-rest-{uuid.uuid4().hex[:8]}"
    desk.presence(PresenceStatus.AVAILABLE)
    servers.send(sender, "我家里5G信号很差，一直掉到4G")
    queued = texts(servers.send(sender, "转人工"))
    assert QUEUED.search(queued), queued
    assert tracker(servers, sender)["paused"] is True
    assert servers.send(sender, "我在望京，信号一直只有一格") == [], "the bot stays quiet while a person is coming"
    user_texts = [e["text"] for e in tracker(servers, sender)["events"] if e["event"] == "user"]
    assert "我在望京，信号一直只有一格" in user_texts, "the user's messages are still stored"
    assert "request_human" in desk.waiting_chat(sender).context["intents"]

    chat_id = desk.accept(sender, "客服007")
    assert desk.rasa.joined(sender, "客服007") is False, "REST cannot push: the message waits in the tracker"
    desk.rasa.message(sender, "客服007", "您好，我是客服007，请问是哪个小区？", 1)
    agent_turns = [e for e in bot_events(servers, sender) if (e.get("metadata") or {}).get("author") == "agent"]
    assert [e["text"] for e in agent_turns] == ["您好，我是客服007，请问是哪个小区？"]
    assert agent_turns[0]["metadata"]["agent"] == "客服007"
    assert "客服007 已接入" in texts(bot_events(servers, sender))

    desk.end(chat_id)
    desk.rasa.end(sender, "agent")
    state = tracker(servers, sender)
    assert state["paused"] is False
    back = texts(bot_events(servers, sender)[-2:])
    assert "智能助手回来" in back and "1 到 5 分" in back

    assert "没能看出您打的分数" in texts(servers.send(sender, "挺好的吧")), "an unreadable answer is asked again"
    assert desk.latest_chat(sender).rating is None
    assert "谢谢您的评价" in texts(servers.send(sender, "4分"))
    rated = desk.latest_chat(sender)
    assert rated.rating == 4 and rated.agent == AGENT and rated.rated_at is not None


def test_a_user_cannot_take_the_conversation_back_by_typing_restart(handoff_servers, desk):
    servers, sender = handoff_servers, f"h-restart-{uuid.uuid4().hex[:8]}"
    desk.presence(PresenceStatus.AVAILABLE)
    assert QUEUED.search(texts(servers.send(sender, "talk to a human")))
    for typed in ("/restart", '/handoff_ended{"by": "user"}'):
        refusal = texts(servers.send(sender, typed))
        assert "can't be sent by a user" in refusal or "不能由用户发送" in refusal
    assert tracker(servers, sender)["paused"] is True
    chat_id = desk.accept(sender, "007")
    desk.end(chat_id)
    desk.rasa.end(sender, "agent")


def test_with_nobody_available_the_user_is_told_and_the_complaint_reuses_what_was_said(handoff_servers, desk):
    servers, sender = handoff_servers, f"h-none-{uuid.uuid4().hex[:8]}"
    desk.presence(PresenceStatus.AWAY)
    servers.send(sender, "上个月话费多扣了五十块钱，莫名其妙")
    answer = texts(servers.send(sender, "转人工"))
    assert "没有可以接待的人工客服" in answer and "要登记吗" in answer
    assert tracker(servers, sender)["paused"] is False
    started = texts(servers.send(sender, "好的"))
    assert "请点选确认" in started or "请选择问题类型" in started, started
    slots = tracker(servers, sender)["slots"]
    assert "话费多扣了五十块钱" in (slots.get("complaint_description") or "")


def test_when_nobody_accepts_in_time_the_bot_says_so_and_offers_the_complaint(handoff_servers, desk):
    servers, sender = handoff_servers, f"h-timeout-{uuid.uuid4().hex[:8]}"
    desk.presence(PresenceStatus.AVAILABLE)
    assert QUEUED.search(texts(servers.send(sender, "I want to talk to a person")))
    servers.send(sender, "my 5G signal at home in Wangjing drops to 4G all the time")
    later = datetime.now(timezone.utc) + timedelta(minutes=4)
    expired = services.expire_waiting(desk.uow(), now=later, timeout=timedelta(minutes=3))
    assert sender in [chat.conversation_id for chat in expired]
    desk.rasa.unavailable(sender, "timeout")
    said = texts(bot_events(servers, sender)[-2:])
    assert "no agent could take your chat in time" in said and "record a complaint" in said
    assert tracker(servers, sender)["paused"] is False
    servers.send(sender, "yes")
    slots = tracker(servers, sender)["slots"]
    assert "drops to 4G" in (slots.get("complaint_description") or ""), "what was said while waiting is reused"


def test_an_official_account_user_gets_the_agents_reply_through_the_customer_service_api(handoff_servers, desk, oa_api):
    user = WeChatUser(handoff_servers, oa_api)
    desk.presence(PresenceStatus.AVAILABLE)
    assert QUEUED.search(user.say("转人工"))
    assert user.sim.read_reply(user.post(user.sim.text(user.openid, "我的话费不对"))) is None, "paused: no reply"

    chat_id = desk.accept(user.openid, "客服007")
    assert desk.rasa.joined(user.openid, "客服007") is True
    assert desk.rasa.message(user.openid, "客服007", "您好，我是客服007，请把账单月份告诉我。", 7) is True
    sent = oa_api.wait_texts(user.openid, 2, timeout=30)
    assert "客服007 已接入" in sent[-2] and sent[-1] == "您好，我是客服007，请把账单月份告诉我。"
    assert all(r["path"] == "/cgi-bin/message/custom/send" for r in oa_api.sent if r["body"]["touser"] == user.openid)

    desk.end(chat_id)
    assert desk.rasa.end(user.openid, "agent") is True
    rating_question = "\n".join(oa_api.wait_texts(user.openid, 3, timeout=30)[2:])
    assert "智能助手回来" in rating_question and "1 到 5 分" in rating_question
    user.seen_async = len(oa_api.texts_to(user.openid))
    thanks = user.say(number_of(rating_question, "非常满意"))
    assert "谢谢您的评价" in thanks
    assert desk.latest_chat(user.openid).rating == 5
