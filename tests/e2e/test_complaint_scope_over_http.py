"""A bot deployed by China Mobile, through the real servers: whose complaint a ticket is.

A China Telecom or China Unicom customer who wants to complain is told plainly that a record
here would reach China Mobile only, given their own operator's hotline, and nothing is stored
(MIIT Order No. 35 Art. 13); China Mobile's own customers file as usual. The privacy answer
names China Mobile as the data handler with its hotline (PIPL Art. 17).
"""

import json
import sqlite3
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.servers import Servers, running_servers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def mobile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    env = {"DEPLOYING_OPERATOR": "china_mobile"}
    with running_servers(tmp_path_factory.mktemp("mobile"), env_extra=env) as running:
        yield running


def choose(key):
    return "/choose" + json.dumps({"choice": key})


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def complaints_of(servers, sender):
    with sqlite3.connect(servers.app_db) as db:
        return db.execute("select count(*) from complaints where sender_id = ?", (sender,)).fetchone()[0]


def test_a_telecom_customer_gets_the_telecom_hotline_and_nothing_is_filed(mobile):
    sender = f"scope-zh-{uuid.uuid4().hex[:8]}"
    servers = mobile
    asked = texts(servers.send(sender, "我要投诉，这个月话费莫名其妙多扣了三十块"))
    assert "登记投诉" in asked
    operator_question = texts(servers.send(sender, choose("billing")))
    assert "哪家运营商" in operator_question and "中国移动" in operator_question
    reply = texts(servers.send(sender, "我是电信的"))
    assert "中国电信" in reply and "10000" in reply and "只会交给中国移动" in reply
    assert "没有保存" in reply
    assert "手机号" not in reply, "no personal data is asked for once the complaint is not ours"
    assert complaints_of(servers, sender) == 0
    after = texts(servers.send(sender, "携号转网需要什么条件"))
    assert "10001" in after, "the conversation goes on normally after the form stopped"


def test_an_english_unicom_customer_gets_the_unicom_hotline_and_nothing_is_filed(mobile):
    sender = f"scope-en-{uuid.uuid4().hex[:8]}"
    servers = mobile
    servers.send(sender, "I'd like to make a complaint, my data keeps getting cut off")
    assert "operator" in texts(servers.send(sender, choose("speed"))).lower()
    reply = texts(servers.send(sender, "I'm on China Unicom"))
    assert "China Unicom" in reply and "10010" in reply
    assert "goes to China Mobile only" in reply and "Nothing has been stored" in reply
    assert complaints_of(servers, sender) == 0


def test_a_china_mobile_customer_files_as_usual_with_the_reply_deadline(mobile):
    sender = f"scope-own-{uuid.uuid4().hex[:8]}"
    servers = mobile
    servers.send(sender, "我要投诉，营业厅没经过我同意给我开了一个流量包")
    assert "哪家运营商" in texts(servers.send(sender, choose("unauthorized_change")))
    assert "请提供联系手机号" in texts(servers.send(sender, "移动的")), "the description is reused"
    consent = texts(servers.send(sender, "13812345678"))
    assert "个人信息处理者：中国移动" in consent and "10086" in consent
    servers.send(sender, "同意")
    filed = texts(servers.send(sender, "确认"))
    assert "已为您登记投诉" in filed and "答复期限" in filed
    assert complaints_of(servers, sender) == 1


def test_the_privacy_answer_names_china_mobile_and_its_hotline(mobile):
    reply = texts(mobile.send(f"scope-pi-{uuid.uuid4().hex[:8]}", "你们会把我的聊天记录保存多久，谁能看到"))
    assert "中国移动" in reply and "10086" in reply
