"""Look-ups through the real servers: coverage, follow-ups, handsets, plans, and escalation."""

import uuid

import pytest

pytestmark = pytest.mark.e2e


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def sender():
    return f"lk-{uuid.uuid4().hex[:8]}"


def test_coverage_at_a_place_and_a_follow_up_about_another(servers):
    user = sender()
    first = texts(servers.send(user, "北京市东城区有5G吗"))
    assert "北京市东城区" in first and "中国移动" in first and "示例数据" in first
    follow_up = texts(servers.send(user, "那海淀区呢"))
    assert "北京市海淀区" in follow_up


def test_coverage_in_english(servers):
    reply = texts(servers.send(sender(), "is there 5G in Pudong, Shanghai?"))
    assert "Pudong" in reply and "China Mobile" in reply and "Sample data" in reply


def test_a_missing_place_is_asked_for(servers):
    user = sender()
    assert "哪个地方" in texts(servers.send(user, "帮我查一下那边有没有5G覆盖"))
    assert "北京市海淀区" in texts(servers.send(user, "海淀区"))


def test_an_ambiguous_place_is_asked_about(servers):
    messages = servers.send(sender(), "朝阳有5G吗")
    assert "多个结果" in texts(messages)
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert any("北京" in t for t in titles) and any("辽宁" in t for t in titles)


def test_a_handset_and_a_follow_up(servers):
    user = sender()
    reply = texts(servers.send(user, "iPhone 12支持移动5G吗"))
    assert "n41" in reply and "中国移动" in reply
    assert "Mate 40" in texts(servers.send(user, "那华为Mate 40呢"))


def test_no_signal_at_a_covered_place_becomes_a_complaint_with_the_place_filled_in(servers):
    user = sender()
    servers.send(user, "北京市东城区有5G吗")
    reply = texts(servers.send(user, "可是我在东城区就是没有5G信号，你说有覆盖"))
    assert "登记投诉" in reply
