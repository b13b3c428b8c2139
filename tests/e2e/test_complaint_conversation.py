"""A complaint from first words to a stored record, then its status, through the real servers."""

import json
import re
import sqlite3
import uuid

import pytest

pytestmark = pytest.mark.e2e
TICKET = re.compile(r"C\d{8}-\d{4,5}")


def choose(key):
    return "/choose" + json.dumps({"choice": key})


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def stored(servers, ticket):
    with sqlite3.connect(servers.app_db) as db:
        db.row_factory = sqlite3.Row
        return db.execute("select * from complaints where ticket = ?", (ticket,)).fetchone()


def test_a_chinese_complaint_is_filed_with_its_transcript_and_then_looked_up(servers):
    sender = f"c-zh-{uuid.uuid4().hex[:8]}"
    first = servers.send(sender, "我家里5G信号很差，一直掉到4G，我要投诉")
    assert "登记投诉" in texts(first)
    category_question = first[-1]
    assert "信号与覆盖" in category_question["text"], "the category is proposed from the user's words"
    assert "运营商" in texts(servers.send(sender, choose("coverage_signal"))), "the operator is asked early"
    assert "请提供联系手机号" in texts(servers.send(sender, choose("china_mobile"))), "the description is reused"
    assert "11位" in texts(servers.send(sender, "138123")), "a wrong number is asked again with the reason"
    assert "在哪里" in texts(servers.send(sender, "138 1234 5678"))
    consent = texts(servers.send(sender, "北京市朝阳区望京"))
    assert "保存2年" in consent and "同意" in consent
    summary = texts(servers.send(sender, "同意"))
    assert "138****5678" in summary and "北京市朝阳区望京" in summary
    filed = texts(servers.send(sender, "确认"))
    ticket = TICKET.search(filed).group(0)

    row = stored(servers, ticket)
    assert row["category"] == "coverage_signal" and row["regulatory_class"] == "network_quality"
    assert row["language"] == "zh" and row["place"] == "北京市朝阳区望京" and row["operator"] == "china_mobile"
    transcript = json.loads(row["transcript"])
    assert transcript[0]["role"] == "user" and "信号很差" in transcript[0]["text"]
    assert any(entry["role"] == "bot" for entry in transcript)

    assert "单号" in texts(servers.send(sender, "查询投诉进度"))
    assert "后4位" in texts(servers.send(sender, ticket))
    status = texts(servers.send(sender, "5678"))
    assert ticket in status and "待处理" in status


def test_an_english_complaint_is_filed_and_a_wrong_last4_reveals_nothing(servers):
    sender = f"c-en-{uuid.uuid4().hex[:8]}"
    first = servers.send(sender, "I want to complain, I was charged for a data add-on I never ordered")
    assert "record your complaint" in texts(first)
    assert "operator" in texts(servers.send(sender, choose("unauthorized_change"))).lower()
    assert "mobile number" in texts(servers.send(sender, "China Unicom"))
    consent = texts(servers.send(sender, "+86 139 1234 5678"))
    assert "2 years" in consent
    assert "139****5678" in texts(servers.send(sender, "yes"))
    ticket = TICKET.search(texts(servers.send(sender, "yes"))).group(0)
    row = stored(servers, ticket)
    assert row["language"] == "en" and row["regulatory_class"] == "billing_dispute"

    servers.send(sender, f"what is the status of my complaint {ticket}")
    assert "No complaint matches" in texts(servers.send(sender, "0000"))


def test_cancelling_midway_stores_nothing(servers):
    sender = f"c-stop-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "我要投诉")
    servers.send(sender, choose("billing"))
    cancelled = texts(servers.send(sender, "算了"))
    assert "没有保存任何信息" in cancelled
    with sqlite3.connect(servers.app_db) as db:
        assert db.execute("select count(*) from complaints where sender_id = ?", (sender,)).fetchone()[0] == 0


def test_a_no_after_an_faq_answer_escalates(servers):
    sender = f"c-faq-{uuid.uuid4().hex[:8]}"
    answer = texts(servers.send(sender, "携号转网需要满足什么条件"))
    assert "解决您的问题了吗" in answer
    assert "登记一条投诉记录" in texts(servers.send(sender, "/deny"))
