"""A complaint through the WeChat Official Account channel of the real Rasa server.

The simulator plays the WeChat platform: it builds each push, encrypts and signs it with the
test account's keys (safe mode), posts it to /webhooks/wechat_oa/webhook, and decrypts the
passive reply; an answer too slow for the passive reply arrives at the fake customer-service
API instead, as it would in WeChat.
"""

import json
import re
import sqlite3
import time
import uuid

import pytest
import requests

from tests.e2e.conftest import WECHAT_OA
from tests.wechat_sim import OfficialAccountSimulator, new_msg_id

pytestmark = pytest.mark.e2e
TICKET = re.compile(r"C\d{8}-\d{4,5}")
CHOICE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


class WeChatUser:
    def __init__(self, servers, api):
        self.servers, self.api = servers, api
        self.openid = "oE2e" + uuid.uuid4().hex[:24]
        self.sim = OfficialAccountSimulator(
            WECHAT_OA["WECHAT_OA_TOKEN"], WECHAT_OA["WECHAT_OA_AES_KEY"], WECHAT_OA["WECHAT_OA_APPID"]
        )
        self.seen_async = 0

    def post(self, xml):
        push = self.sim.push(xml)
        started = time.monotonic()
        response = requests.post(
            f"{self.servers.rasa_url}/webhooks/wechat_oa/webhook?{push.query}", data=push.body, timeout=10
        )
        assert response.status_code == 200, response.text
        assert time.monotonic() - started < 5, "the platform gives up after 5 seconds"
        return response.content

    def answer(self, body):
        """The passive reply, or (after "success") what the customer-service API delivered."""
        reply = self.sim.read_reply(body)
        if reply is not None:
            assert reply["ToUserName"] == self.openid
            return reply["Content"]
        texts = self.api.wait_texts(self.openid, self.seen_async + 1, timeout=60)
        new = texts[self.seen_async :]
        self.seen_async = len(texts)
        return "\n".join(new)

    def say(self, text, msg_id=None):
        return self.answer(self.post(self.sim.text(self.openid, text, msg_id or new_msg_id())))


def number_of(text, title):
    numbers = [number for number, label in CHOICE.findall(text) if title in label]
    assert numbers, f"no numbered choice {title!r} in:\n{text}"
    return numbers[0]


def test_a_complaint_filed_through_wechat_is_stored_under_the_users_openid(servers, wechat_api):
    user = WeChatUser(servers, wechat_api)
    welcome = user.answer(user.post(user.sim.event(user.openid, "subscribe")))
    assert "5G服务助手" in welcome and number_of(welcome, "我要投诉"), "subscribing gets the welcome"

    asked = user.say("我家里5G信号很差，一直掉到4G，我要投诉")
    assert "登记投诉" in asked and "信号与覆盖" in asked
    operators = user.say(number_of(asked, "信号与覆盖"))
    assert "运营商" in operators, "a number answers the choice; the operator is asked early"
    assert "请提供联系手机号" in user.say(number_of(operators, "中国移动"))
    assert "11位" in user.say("138123")
    assert "在哪里" in user.say("138 1234 5678")
    consent = user.say("北京市朝阳区望京")
    assert "保存2年" in consent and "同意" in consent
    summary = user.say("同意")
    assert "138****5678" in summary and "北京市朝阳区望京" in summary

    confirm_id = new_msg_id()
    confirm = user.sim.text(user.openid, "确认", confirm_id)
    filed = user.answer(user.post(confirm))
    ticket = TICKET.search(filed).group(0)
    retried = user.sim.read_reply(user.post(confirm))  # WeChat's retry of the same MsgId
    assert retried is None or retried["Content"] == filed, "a retry gets the same answer, not a second turn"

    with sqlite3.connect(servers.app_db) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("select * from complaints where sender_id = ?", (user.openid,)).fetchall()
    assert len(rows) == 1, "one complaint, whatever the retries"
    (row,) = rows
    assert row["ticket"] == ticket and row["channel"] == "wechat_oa"
    assert row["category"] == "coverage_signal" and row["operator"] == "china_mobile" and row["language"] == "zh"

    with sqlite3.connect(servers.tracker_db) as db:
        rows = db.execute("select data from events where sender_id = ? and type_name = 'user'", (user.openid,))
        ids = [json.loads(data).get("message_id") for (data,) in rows]
    assert ids.count(confirm_id) == 1, "the MsgId is Rasa's message_id, and the retry made no second turn"


def test_an_english_voice_message_with_and_without_recognised_text(servers, wechat_api):
    user = WeChatUser(servers, wechat_api)
    answer = user.answer(
        user.post(user.sim.voice(user.openid, "I want to complain, I was charged for a data add-on I never ordered"))
    )
    assert "record your complaint" in answer, "recognised speech is handled as text"
    voice = user.answer(user.post(user.sim.voice(user.openid, None)))
    assert "type" in voice and "文字" not in voice, "asked to type, in the conversation's language"
