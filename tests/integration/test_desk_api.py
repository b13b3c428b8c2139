"""The desk's REST API on real databases (SQLite and PostgreSQL): queue, detail, claim, notes, lifecycle, audit."""

import csv
import io
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table

from bot.db import Base
from bot.desk.permissions import Role
from tests.factories import NOW, a_draft
from tests.integration.desk_fixtures import DESK_TABLES, desk, desk_engine, staff, tracker_url

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest

PHONE = "13812345678"


def complaint(staff, key, at=NOW, **changes):
    return staff.file(a_draft(**changes), key, at=at).ticket


def get(staff, user, path, **params):
    response = staff.client.get(f"/api{path}", headers=staff.auth(user), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def post(staff, user, path, body=None, expect=200):
    response = staff.client.post(f"/api{path}", headers=staff.auth(user), json=body or {})
    assert response.status_code == expect, response.text
    return response.json()


def tickets(page):
    return [item["ticket"] for item in page["items"]]


def test_the_queue_lists_overdue_complaints_first_then_newest_with_masked_phone_numbers(staff):
    old_overdue = complaint(staff, "a", at=NOW - timedelta(days=20))
    answered_old = complaint(staff, "b", at=NOW - timedelta(days=19))
    post(staff, "sam", f"/complaints/{answered_old}/notes", {"text": "已联系", "to_user": True})
    newest = complaint(staff, "c", at=NOW)
    page = get(staff, "alice", "/complaints")
    assert tickets(page) == [old_overdue, newest, answered_old]
    assert [item["overdue"] for item in page["items"]] == [True, False, False]
    assert {item["contact_phone"] for item in page["items"]} == {"138****5678"}
    assert PHONE not in str(page)
    assert tickets(get(staff, "alice", "/complaints", sort="oldest")) == [old_overdue, answered_old, newest]


def test_the_queue_filters_by_status_category_class_operator_place_overdue_assignment_and_text(staff):
    signal = complaint(staff, "a", at=NOW - timedelta(days=20))
    billing = complaint(
        staff,
        "b",
        category="billing",
        operator="china_telecom",
        place="北京市朝阳区",
        description="多扣了话费三十元",
    )
    post(staff, "bob", f"/complaints/{billing}/claim")

    def found(**params):
        return tickets(get(staff, "alice", "/complaints", **params))

    assert found(status="in_progress") == [billing]
    assert found(category="coverage_signal") == [signal]
    assert found(regulatory_class="billing_dispute") == [billing]
    assert found(operator="china_telecom") == [billing]
    assert found(place="深圳") == [signal]
    assert found(overdue="true") == [signal]
    assert found(overdue="false") == [billing]
    assert found(assigned_to="bob") == [billing]
    assert found(unassigned="true") == [signal]
    assert found(q="话费") == [billing]
    assert found(q=signal.lower()) == [signal]
    assert found(q="100%_") == []


def test_the_queue_is_paginated(staff):
    filed = [complaint(staff, f"k{n}", at=NOW + timedelta(minutes=n)) for n in range(5)]
    first = get(staff, "alice", "/complaints", limit=2)
    second = get(staff, "alice", "/complaints", limit=2, offset=2)
    last = get(staff, "alice", "/complaints", limit=2, offset=4)
    assert (first["total"], first["limit"], first["offset"]) == (5, 2, 0)
    assert tickets(first) + tickets(second) + tickets(last) == filed[::-1]
    assert staff.client.get("/api/complaints?limit=101", headers=staff.auth("alice")).status_code == 422


def test_a_complaint_reads_with_its_transcript_and_an_agent_not_handling_it_sees_no_phone_number(staff):
    draft_transcript = a_draft().transcript
    ticket = complaint(staff, "a", description=f"信号差，回电 {PHONE}")
    detail = get(staff, "alice", f"/complaints/{ticket}")
    assert detail["ticket"] == ticket
    assert [(e["role"], e["text"]) for e in detail["transcript"]] == [(e.role, e.text) for e in draft_transcript]
    assert (detail["contact_phone"], detail["contact_visible"]) == ("138****5678", False)
    assert detail["description"] == "信号差，回电 138****5678"
    assert [(e["actor"], e["action"]) for e in detail["audit"]] == [("bot", "created")]


def test_the_assigned_agent_sees_the_full_phone_number_and_that_view_is_audited(staff):
    ticket = complaint(staff, "a")
    claimed = post(staff, "alice", f"/complaints/{ticket}/claim")
    assert claimed["contact_phone"] == "138****5678"  # a change shows no contact data
    detail = get(staff, "alice", f"/complaints/{ticket}")
    assert (detail["contact_phone"], detail["contact_visible"]) == (PHONE, True)
    viewed = detail["audit"][-1]
    assert (viewed["actor"], viewed["action"], viewed["at"]) == ("alice", "viewed_contact", "2026-11-29T10:30:00Z")
    assert get(staff, "bob", f"/complaints/{ticket}")["contact_phone"] == "138****5678"
    assert [e["action"] for e in get(staff, "bob", f"/complaints/{ticket}/audit")].count("viewed_contact") == 1


def test_a_supervisor_sees_the_full_phone_number_and_that_view_is_audited(staff):
    ticket = complaint(staff, "a")
    assert get(staff, "sam", f"/complaints/{ticket}")["contact_phone"] == PHONE
    assert [(e["actor"], e["action"]) for e in get(staff, "sam", f"/complaints/{ticket}/audit")] == [
        ("bot", "created"),
        ("sam", "viewed_contact"),
    ]


def test_claiming_assigns_the_complaint_and_a_second_claim_is_a_conflict(staff):
    ticket = complaint(staff, "a")
    claimed = post(staff, "alice", f"/complaints/{ticket}/claim")
    assert (claimed["status"], claimed["assigned_agent"]) == ("in_progress", "alice")
    conflict = post(staff, "bob", f"/complaints/{ticket}/claim", expect=409)
    assert conflict["code"] == "already_claimed"
    assert get(staff, "bob", f"/complaints/{ticket}")["assigned_agent"] == "alice"


def test_internal_notes_and_notes_to_the_user_are_kept_and_the_first_reply_is_the_first_response(staff):
    ticket = complaint(staff, "a")
    post(staff, "alice", f"/complaints/{ticket}/claim")
    post(staff, "alice", f"/complaints/{ticket}/notes", {"text": "已转网络部门", "to_user": False})
    assert get(staff, "alice", f"/complaints/{ticket}")["first_response_at"] is None
    staff.clock.advance(hours=2)
    noted = post(staff, "alice", f"/complaints/{ticket}/notes", {"text": "工程师明天上门检测", "to_user": True})
    assert [(n["author"], n["text"], n["to_user"]) for n in noted["notes"]] == [
        ("alice", "已转网络部门", False),
        ("alice", "工程师明天上门检测", True),
    ]
    assert noted["first_response_at"] == "2026-11-29T12:30:00Z"
    assert post(staff, "alice", f"/complaints/{ticket}/notes", {"text": ""}, expect=422)


def test_a_complaint_goes_through_its_lifecycle_and_every_step_is_in_the_audit_trail(staff):
    ticket = complaint(staff, "a")
    post(staff, "alice", f"/complaints/{ticket}/claim")
    staff.clock.advance(hours=1)
    resolved = post(staff, "alice", f"/complaints/{ticket}/resolve", {"resolution": "已优化基站参数"})
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "已优化基站参数")
    staff.clock.advance(hours=1)
    post(staff, "sam", f"/complaints/{ticket}/close")
    staff.clock.advance(hours=1)
    reopened = post(staff, "sam", f"/complaints/{ticket}/reopen", {"reason": "用户反馈仍无信号"})
    assert (reopened["status"], reopened["assigned_agent"], reopened["reopen_count"]) == ("open", None, 1)
    post(staff, "bob", f"/complaints/{ticket}/claim")
    trail = [(e["actor"], e["action"], e["at"]) for e in get(staff, "sam", f"/complaints/{ticket}/audit")]
    assert trail == [
        ("bot", "created", "2026-11-29T09:30:00Z"),
        ("alice", "claimed", "2026-11-29T10:30:00Z"),
        ("alice", "resolved", "2026-11-29T11:30:00Z"),
        ("sam", "closed", "2026-11-29T12:30:00Z"),
        ("sam", "reopened", "2026-11-29T13:30:00Z"),
        ("bob", "claimed", "2026-11-29T13:30:00Z"),
    ]
    details = get(staff, "sam", f"/complaints/{ticket}/audit")[4]["details"]
    assert details == {
        "from": "closed",
        "to": "open",
        "reason": "用户反馈仍无信号",
        "previous_resolution": "已优化基站参数",
    }


def test_steps_the_lifecycle_forbids_are_conflicts_and_unknown_tickets_are_not_found(staff):
    ticket = complaint(staff, "a")
    assert post(staff, "sam", f"/complaints/{ticket}/resolve", {"resolution": "x"}, expect=409)["code"] == (
        "invalid_transition"
    )
    assert post(staff, "sam", f"/complaints/{ticket}/reopen", expect=409)["code"] == "invalid_transition"
    missing = staff.client.get("/api/complaints/C20991231-0001", headers=staff.auth("alice"))
    assert (missing.status_code, missing.json()["code"]) == (404, "complaint_not_found")


def test_a_supervisor_reassigns_a_complaint_to_another_active_user(staff):
    ticket = complaint(staff, "a")
    post(staff, "alice", f"/complaints/{ticket}/claim")
    moved = post(staff, "sam", f"/complaints/{ticket}/assign", {"username": "bob"})
    assert (moved["assigned_agent"], moved["status"]) == ("bob", "in_progress")
    reassigned = get(staff, "sam", f"/complaints/{ticket}/audit")[-1]
    assert (reassigned["actor"], reassigned["action"]) == ("sam", "reassigned")
    assert reassigned["details"] == {"from": "alice", "to": "bob", "status_from": "in_progress"}
    post(staff, "bob", f"/complaints/{ticket}/resolve", {"resolution": "已处理"})
    assert post(staff, "sam", f"/complaints/{ticket}/assign", {"username": "nobody"}, expect=404)["code"] == (
        "unknown_user"
    )


def test_the_csv_export_covers_the_period_for_excel_with_masked_phone_numbers(staff):
    inside = complaint(staff, "a", description=f"请回电 {PHONE}")
    complaint(staff, "b", at=NOW - timedelta(days=40))
    formula = complaint(staff, "c", description='=HYPERLINK("http://x")')
    response = staff.client.get(
        "/api/complaints/export.csv", headers=staff.auth("sam"), params={"from": "2026-11-20", "to": "2026-11-29"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="complaints_2026-11-20_2026-11-29.csv"' in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["ticket"] for row in rows] == [inside, formula]
    assert rows[0]["contact_phone"] == "138****5678" and rows[0]["description"] == "请回电 138****5678"
    assert rows[0]["created_at"] == "2026-11-29 17:30:00"  # Beijing time
    assert rows[1]["description"].startswith("'=")
    assert PHONE not in response.content.decode("utf-8-sig")
    reversed_period = {"from": "2026-11-29", "to": "2026-11-01"}
    bad = staff.client.get("/api/complaints/export.csv", headers=staff.auth("sam"), params=reversed_period)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_period")


def test_the_catalogue_gives_the_filter_keys_with_labels(staff):
    catalogue = get(staff, "alice", "/catalogue")
    assert catalogue["categories"]["coverage_signal"] == {"zh": "信号与覆盖", "en": "Signal and coverage"}
    assert set(catalogue["regulatory_classes"]) == {"network_quality", "billing_dispute", "user_service"}
    assert catalogue["operators"]["china_mobile"]["zh"] == "中国移动"


def test_the_openapi_document_and_its_docs_are_served_under_api(desk):
    schema = desk.client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/auth/login", "/api/complaints", "/api/complaints/{ticket}/claim", "/api/stats"} <= set(paths)
    assert all(path.startswith("/api/") for path in paths)
    docs = desk.client.get("/api/docs")
    assert docs.status_code == 200 and "/api/openapi.json" in docs.text and "cdn" not in docs.text


def test_the_console_page_is_served_at_desk(desk):
    page = desk.client.get("/desk/")
    assert page.status_code == 200 and "/static/build/desk.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert desk.client.get("/desk", follow_redirects=False).headers["location"] == "/desk/"


def test_the_migration_creates_exactly_what_the_desk_models_declare(desk_engine):
    with desk_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if _concerns_desk(d)]
    assert differences == []


def _concerns_desk(difference):
    operation = difference[0] if isinstance(difference, list) else difference
    for part in operation[1:]:
        if isinstance(part, Table):
            return part.name in DESK_TABLES
        if isinstance(getattr(part, "table", None), Table):
            return part.table.name in DESK_TABLES
    return operation[2] in DESK_TABLES


def test_roles_are_stored_as_given(staff):
    with staff.uow() as uow:
        assert {u.username: u.role for u in uow.users.list()} == {
            "alice": Role.AGENT,
            "bob": Role.AGENT,
            "sam": Role.SUPERVISOR,
        }
