"""The personal data lifecycle: retention erases closed complaints' personal data, users ask for erasure
in the chat and a supervisor confirms it at the desk; each request and erasure is in the audit trail."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from bot.cli import main
from bot.complaints.model import ERASED, ERASURE_REQUESTED
from bot.complaints.services import request_erasure
from bot.complaints.views import kept_data
from bot.db import make_engine
from bot.desk import privacy
from bot.desk.permissions import Role
from tests.factories import NOW, a_draft
from tests.integration.desk_fixtures import Conversation, desk, desk_engine, staff, store_conversation, tracker_url

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest

PHONE = "13812345678"


def closed_complaint(staff, key, closed_at):
    ticket = staff.file(a_draft(description=f"掉线，回电 {PHONE}"), key, at=closed_at - timedelta(days=3)).ticket
    sam = staff.auth("sam")
    staff.clock.now = closed_at
    assert staff.client.post(f"/api/complaints/{ticket}/claim", headers=sam).status_code == 200
    note = {"text": f"已致电 {PHONE}", "to_user": True}
    assert staff.client.post(f"/api/complaints/{ticket}/notes", headers=sam, json=note).status_code == 200
    body = {"resolution": f"基站已优化，已短信通知 {PHONE}"}
    assert staff.client.post(f"/api/complaints/{ticket}/resolve", headers=sam, json=body).status_code == 200
    reason = {"reason": f"用户 {PHONE} 说仍掉线"}
    assert staff.client.post(f"/api/complaints/{ticket}/reopen", headers=sam, json=reason).status_code == 200
    assert staff.client.post(f"/api/complaints/{ticket}/claim", headers=sam).status_code == 200
    assert staff.client.post(f"/api/complaints/{ticket}/resolve", headers=sam, json=body).status_code == 200
    assert staff.client.post(f"/api/complaints/{ticket}/close", headers=sam).status_code == 200
    return ticket


def everything_about(staff, ticket):
    with staff.uow() as uow:
        complaint = uow.complaints.get(ticket)
        audit = uow.complaints.audit_trail(ticket)
    return complaint, audit


def assert_erased(staff, ticket, reason):
    complaint, audit = everything_about(staff, ticket)
    stored = json.dumps(
        [vars(complaint).get(k) for k in ("contact_phone", "description", "resolution", "sender_id")]
        + [e.text for e in complaint.transcript]
        + [n.text for n in complaint.notes]
        + [e.details for e in audit],
        ensure_ascii=False,
        default=str,
    )
    assert PHONE not in stored and "5678" not in stored and "掉线" not in stored, stored
    assert complaint.contact_phone == "" and complaint.transcript == []
    assert complaint.category == "coverage_signal" and complaint.closed_at is not None  # the record stays
    erased = [e for e in audit if e.action == ERASED]
    assert len(erased) == 1 and reason in erased[0].details["basis"]


def test_retention_erases_closed_complaints_personal_data_and_keeps_the_record_and_statistics(staff, capsys):
    old = closed_complaint(staff, "old", NOW - timedelta(days=400))
    recent = closed_complaint(staff, "recent", NOW - timedelta(days=100))
    still_open = staff.file(a_draft(), "open", at=NOW - timedelta(days=500)).ticket
    staff.clock.now = NOW
    sam = staff.auth("sam")
    before = staff.client.get("/api/stats", headers=sam, params={"from": "2025-01-01", "to": "2025-12-31"}).json()

    erase_expired = ["erase-expired", "--retention-days", "365", "--database-url", staff.database_url]
    assert main(erase_expired) == 0
    assert "1 complaint(s)" in capsys.readouterr().out
    assert_erased(staff, old, "retention")
    for ticket in (recent, still_open):
        complaint, _ = everything_about(staff, ticket)
        assert complaint.contact_phone == PHONE
    after = staff.client.get("/api/stats", headers=sam, params={"from": "2025-01-01", "to": "2025-12-31"}).json()
    assert after["complaints"] == before["complaints"]
    assert main(erase_expired) == 0
    assert "0 complaint(s)" in capsys.readouterr().out
    # What the desk shows afterwards, to anyone.
    detail = staff.client.get(f"/api/complaints/{old}", headers=sam).json()
    assert detail["contact_phone"] == "" and detail["description"] == privacy.ERASED_TEXT


def test_a_user_asks_in_the_chat_and_a_supervisor_confirms_the_erasure_at_the_desk(staff):
    ticket = staff.file(a_draft(), "k").ticket
    assert request_erasure(staff.uow(), ticket, "0000", NOW) is False
    assert request_erasure(staff.uow(), "C20990101-0001", "5678", NOW) is False
    kept = kept_data(staff.uow(), ticket, "5678", retention_days=365)
    assert kept.contact_phone == "138****5678" and kept.transcript_messages == 2 and not kept.erasure_requested
    assert request_erasure(staff.uow(), ticket, "５６７８", NOW) is True
    assert request_erasure(staff.uow(), ticket, "5678", NOW) is True  # asked twice: one request
    assert kept_data(staff.uow(), ticket, "5678", retention_days=365).erasure_requested

    assert staff.client.get("/api/privacy/requests", headers=staff.auth("alice")).status_code == 403
    assert staff.client.post(f"/api/complaints/{ticket}/erase", headers=staff.auth("alice")).status_code == 403
    pending = staff.client.get("/api/privacy/requests", headers=staff.auth("sam")).json()
    assert [r["ticket"] for r in pending] == [ticket]
    erased = staff.client.post(f"/api/complaints/{ticket}/erase", headers=staff.auth("sam"))
    assert erased.status_code == 200, erased.text
    assert staff.client.get("/api/privacy/requests", headers=staff.auth("sam")).json() == []
    complaint, audit = everything_about(staff, ticket)
    assert complaint.contact_phone == "" and complaint.transcript == []
    actions = [e.action for e in audit]
    assert actions.count(ERASURE_REQUESTED) == 1 and actions[-1] == ERASED
    assert audit[-1].actor == "sam" and audit[-1].details["basis"] == "user_request"
    # Nothing is left to show: the ticket and digits no longer match anything.
    assert kept_data(staff.uow(), ticket, "5678", retention_days=365) is None


def test_every_view_of_a_full_number_is_in_the_audit_trail(staff):
    ticket = staff.file(a_draft(), "k").ticket
    staff.add_user("tess", Role.SUPERVISOR)
    for user in ("sam", "tess", "bob"):
        staff.client.get(f"/api/complaints/{ticket}", headers=staff.auth(user))
    _, audit = everything_about(staff, ticket)
    assert [e.actor for e in audit if e.action == "viewed_contact"] == ["sam", "tess"]


def conversation_at(start):
    return Conversation(start).user("你好", "greet").action("utter_greet").bot("您好！")


def senders(tracker_url):
    engine = make_engine(tracker_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")).all()
    engine.dispose()
    return dict(rows)


def test_conversations_past_their_retention_are_pruned_from_the_tracker_store(staff, tracker_url, capsys):
    now = datetime.now(timezone.utc)
    store_conversation(tracker_url, "silent", conversation_at(now - timedelta(days=200)).events)
    ongoing = Conversation(now - timedelta(days=200))
    ongoing._add({"event": "session_started"})
    ongoing.user("我的号码是13812345678", "inform")
    ongoing.time = (now - timedelta(days=100)).timestamp()
    ongoing._add({"event": "session_started"})
    ongoing.user("套餐怎么改", "faq")
    ongoing.time = (now - timedelta(days=1)).timestamp()
    ongoing.user("谢谢", "thank")
    store_conversation(tracker_url, "ongoing", ongoing.events)
    store_conversation(tracker_url, "recent", conversation_at(now - timedelta(days=2)).events)

    command = ["erase-expired", "--conversation-retention-days", "90", "--tracker-url", tracker_url]
    assert main([*command, "--database-url", staff.database_url]) == 0
    assert "5 conversation event(s) older than 90 days deleted" in capsys.readouterr().out
    # silent: all 3 gone; ongoing: the session before the last one older than the cutoff (2 events) gone.
    assert senders(tracker_url) == {"ongoing": 3, "recent": 3}
    engine = make_engine(tracker_url)
    with engine.connect() as connection:
        texts = connection.execute(text("SELECT data FROM events WHERE sender_id = 'ongoing'")).scalars().all()
    engine.dispose()
    assert not any("13812345678" in t for t in texts)


def test_a_confirmed_erasure_request_deletes_the_users_conversation_too(staff, tracker_url):
    ticket = staff.file(a_draft(sender_id="user-1"), "k").ticket
    now = datetime.now(timezone.utc)
    store_conversation(tracker_url, "user-1", conversation_at(now - timedelta(hours=1)).events)
    store_conversation(tracker_url, "user-2", conversation_at(now - timedelta(hours=1)).events)
    assert request_erasure(staff.uow(), ticket, "5678", NOW)
    assert staff.client.post(f"/api/complaints/{ticket}/erase", headers=staff.auth("sam")).status_code == 200
    assert senders(tracker_url) == {"user-2": 3}
