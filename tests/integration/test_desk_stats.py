"""Service statistics: complaint figures from the database, FAQ feedback and misunderstandings from Rasa's tracker."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.complaints import services
from bot.desk.tracker import TrackerStore
from common.hours import OpeningHours
from tests.factories import NOW, a_draft
from tests.integration.desk_fixtures import Conversation, deliver_conversation, desk, desk_engine, staff, tracker_url

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest

PERIOD = {"from": "2026-10-15", "to": "2026-11-29"}


def stats(staff, **params):
    response = staff.client.get("/api/stats", headers=staff.auth("sam"), params=params or PERIOD)
    assert response.status_code == 200, response.text
    return response.json()


def file(staff, key, days_ago, **changes):
    return staff.file(a_draft(**changes), key, at=NOW - timedelta(days=days_ago)).ticket


def test_complaint_figures_count_by_category_class_operator_place_day_and_week(staff):
    file(staff, "unanswered", 20)
    billing = file(staff, "b", 10, category="billing", operator="china_telecom", place="北京市朝阳区")
    speed = file(staff, "c", 1, category="speed")
    late = file(staff, "d", 40, operator="china_unicom", place="上海市浦东新区")
    uow = staff.uow
    filed = {billing: NOW - timedelta(days=10), speed: NOW - timedelta(days=1), late: NOW - timedelta(days=40)}
    services.add_note(uow(), billing, "alice", "正在核查账单", True, filed[billing] + timedelta(hours=2))
    services.claim(uow(), billing, "alice", filed[billing] + timedelta(hours=3))
    services.resolve(uow(), billing, "alice", "已退费", filed[billing] + timedelta(hours=4))
    services.claim(uow(), speed, "bob", filed[speed] + timedelta(hours=1))
    services.resolve(uow(), speed, "bob", "已优化", filed[speed] + timedelta(hours=6))
    services.add_note(uow(), late, "bob", "抱歉回复晚了", True, filed[late] + timedelta(days=16))

    result = stats(staff)
    figures = result["complaints"]
    assert result["period"] == PERIOD
    assert {k: figures[k] for k in ("total", "open", "overdue", "answered_within_deadline", "answered_late")} == {
        "total": 4,
        "open": 2,
        "overdue": 1,
        "answered_within_deadline": 2,
        "answered_late": 1,
    }
    assert figures["unanswered"] == 1 and figures["answered_within_deadline_rate"] == 0.5
    assert figures["median_first_response_hours"] == 6.0  # 2 h, 6 h, 384 h
    assert figures["median_resolution_hours"] == 5.0  # 4 h, 6 h
    assert figures["by_category"] == {"coverage_signal": 2, "billing": 1, "speed": 1}
    assert figures["by_regulatory_class"] == {"network_quality": 3, "billing_dispute": 1}
    assert figures["by_operator"] == {"china_mobile": 2, "china_telecom": 1, "china_unicom": 1}
    assert figures["by_place"] == {"广东省深圳市南山区": 2, "北京市朝阳区": 1, "上海市浦东新区": 1}
    assert len(figures["per_day"]) == 46 and sum(figures["per_day"].values()) == 4
    assert {day: n for day, n in figures["per_day"].items() if n} == {
        "2026-10-20": 1,  # Beijing dates: filed at 17:30 China time
        "2026-11-09": 1,
        "2026-11-19": 1,
        "2026-11-28": 1,
    }
    assert figures["per_week"]["2026-W48"] == 1 and sum(figures["per_week"].values()) == 4
    assert result["backlog"] == {"open": 2, "overdue": 1}


def test_the_default_period_is_the_last_30_days_in_china_time(staff):
    file(staff, "a", 40)
    file(staff, "b", 3)
    result = stats(staff, to="2026-11-29")
    assert result["period"] == {"from": "2026-10-31", "to": "2026-11-29"}
    assert result["complaints"]["total"] == 1 and result["backlog"]["open"] == 2


def test_unhelpful_faq_topics_and_messages_not_understood_are_read_from_the_desks_copy_of_the_events(staff):
    day = NOW - timedelta(days=1)
    deliver_conversation(
        staff.database_url,
        "s1",
        Conversation(day)
        .faq_answer("怎么查5G覆盖", "coverage_check_area", helped=False)
        .faq_answer("5G覆盖在哪里查", "coverage_check_area", helped=True)
        .events,
    )
    deliver_conversation(
        staff.database_url,
        "s2",
        Conversation(day)
        .faq_answer("where is 5G coverage", "coverage_check_area", helped=False)
        .faq_answer("how do I change plan", "plan_change", helped=True, with_metadata=False)
        .user("5G 没信号!", "nlu_fallback")
        .events,
    )
    deliver_conversation(
        staff.database_url,
        "s3",
        Conversation(day)
        .user("5g没信号", "nlu_fallback")
        .user("我的号码是13812345678", "out_of_scope")
        .faq_answer("换套餐", "plan_change", helped=None)
        .user("你好", "greet")
        .events,
    )
    old = datetime(2026, 9, 1, tzinfo=timezone.utc)
    deliver_conversation(
        staff.database_url, "s4", Conversation(old).faq_answer("覆盖", "coverage_check_area", False).events
    )

    result = stats(staff)
    assert result["tracker_available"] is True
    faq = [(t["topic"], t["answers"], t["asked_if_helpful"], t["helpful"], t["not_helpful"]) for t in result["faq"]]
    assert faq == [
        ("coverage_check_area", 3, 3, 1, 2),
        ("plan_change", 2, 2, 1, 0),
    ]
    assert result["faq"][0]["not_helpful_rate"] == pytest.approx(2 / 3)
    assert result["not_understood"] == [
        {"text": "5g没信号", "count": 2},
        {"text": "我的号码是138****5678", "count": 1},
    ]


def test_an_empty_tracker_store_gives_empty_conversation_statistics(staff):
    result = stats(staff)
    assert (result["faq"], result["not_understood"], result["tracker_available"]) == ([], [], True)


def test_a_missing_tracker_database_or_table_reads_as_no_events_and_is_not_created(tmp_path):
    start, end = NOW - timedelta(days=30), NOW
    missing = tmp_path / "no-such.db"
    assert TrackerStore(f"sqlite:///{missing}").statistics(start, end).faq == {}
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    stats_ = TrackerStore(f"sqlite:///{empty}").statistics(start, end)
    assert (stats_.faq, dict(stats_.not_understood), stats_.available) == ({}, {}, True)


@pytest.mark.postgres
def test_an_unreachable_tracker_store_is_reported_not_fatal():
    stats_ = TrackerStore("postgresql://postgres@127.0.0.1:1/tracker").statistics(NOW - timedelta(days=1), NOW)
    assert stats_.available is False and stats_.faq == {}


def test_hand_offs_are_counted_with_waits_handling_satisfaction_and_complaints(staff):
    from bot.handoff import services as handoff
    from bot.handoff.model import PresenceStatus
    from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork

    def uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(staff.desk.sessions)

    moment = staff.clock()
    policy = handoff.Policy(OpeningHours.parse("00:00-24:00"), timedelta(minutes=3))
    handoff.set_presence(uow(), agent="alice", status=PresenceStatus.AVAILABLE, max_chats=3, now=moment)
    for n, (wait, rating) in enumerate([(20, 5), (40, 2)]):
        chat_id = handoff.request_live_chat(
            uow(), conversation_id=f"s{n}", channel="socketio", language="zh", context={}, now=moment, policy=policy
        ).chat_id
        handoff.accept(uow(), chat_id=chat_id, agent="alice", label="A7", now=moment + timedelta(seconds=wait))
        handoff.end_chat(uow(), chat_id=chat_id, agent="alice", now=moment + timedelta(seconds=wait + 300))
        handoff.record_rating(uow(), conversation_id=f"s{n}", rating=rating, now=moment + timedelta(seconds=400))
    figures = stats(staff)["handoff"]
    assert (figures["requested"], figures["handed_over"], figures["median_waiting_seconds"]) == (2, 2, 30)
    assert (figures["median_handling_seconds"], figures["satisfaction"]) == (300, 3.5)
    assert figures["by_agent"]["alice"]["chats"] == 2 and figures["complaint_share"] == 0
