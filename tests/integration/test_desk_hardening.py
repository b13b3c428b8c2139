"""Faults a probe of the desk found, each fixed: numbers recoverable by other agents, NUL bytes and lone
surrogates, edge numbers and dates, racing supervisors, missing headers, weak passwords, no logout."""

import json

import pytest

from bot.desk import accounts
from bot.desk.errors import LastSupervisor
from bot.desk.permissions import Actor, Role
from tests.factories import a_draft
from tests.integration.desk_fixtures import FAST, desk, desk_engine, run_together, staff, tracker_url

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest


def file(staff, key, **changes):
    return staff.file(a_draft(**changes), key).ticket


def call(staff, user, method, path, **kwargs):
    return staff.client.request(method, f"/api{path}", headers=staff.auth(user), **kwargs)


def test_an_agent_cannot_learn_a_masked_number_digit_by_digit_from_the_search(staff):
    ticket = file(staff, "a", description="信号差，回电 13987654321")
    assert call(staff, "bob", "POST", f"/complaints/{ticket}/claim").status_code == 200
    for user, expected in (("alice", []), ("bob", [ticket]), ("sam", [ticket])):
        for q in ("1398", "1398765", "13987654321", "4321"):
            found = call(staff, user, "GET", "/complaints", params={"q": q}).json()
            assert [item["ticket"] for item in found["items"]] == expected, (user, q)
    # Words are still searched for everyone, and a ticket number finds its complaint.
    assert call(staff, "alice", "GET", "/complaints", params={"q": "信号差"}).json()["total"] == 1
    assert call(staff, "alice", "GET", "/complaints", params={"q": ticket}).json()["total"] == 1


def test_notes_resolution_and_audit_details_are_masked_for_agents_who_do_not_handle_the_complaint(staff):
    ticket = file(staff, "a")
    call(staff, "alice", "POST", f"/complaints/{ticket}/claim")
    note = call(staff, "alice", "POST", f"/complaints/{ticket}/notes", json={"text": "用户另一号码 139.8765.4321"})
    assert note.status_code == 200
    call(staff, "alice", "POST", f"/complaints/{ticket}/resolve", json={"resolution": "已回电 139  8765  4321"})
    call(staff, "sam", "POST", f"/complaints/{ticket}/reopen", json={"reason": "用户说 一三九八七六五四三二一 没接到"})
    for path in (f"/complaints/{ticket}", f"/complaints/{ticket}/audit"):
        seen = json.dumps(call(staff, "bob", "GET", path).json(), ensure_ascii=False)
        assert "139****4321" in seen
        for leak in ("8765", "八七六五", "13812345678"):
            assert leak not in seen, (path, leak)
    # The handler (a supervisor) sees them in full.
    assert "139.8765.4321" in json.dumps(call(staff, "sam", "GET", f"/complaints/{ticket}").json(), ensure_ascii=False)


def test_a_nul_byte_or_control_character_anywhere_neither_breaks_the_export_nor_the_database(staff):
    ticket = file(staff, "a", description="掉线\x00严重\x07", place="深圳\x00南山", handset="Mate\x1b60")
    call(staff, "sam", "POST", f"/complaints/{ticket}/claim")
    assert call(staff, "sam", "POST", f"/complaints/{ticket}/notes", json={"text": "已\x00联系"}).status_code == 200
    assert call(staff, "sam", "GET", "/complaints", params={"q": "掉\x00线"}).status_code == 200
    assert call(staff, "sam", "GET", "/complaints", params={"place": "深\x00圳"}).status_code == 200
    export = call(staff, "sam", "GET", "/complaints/export.csv")
    assert export.status_code == 200
    assert "\x00" not in export.text and "掉线严重" in export.text
    detail = call(staff, "sam", "GET", f"/complaints/{ticket}").json()
    assert (detail["description"], detail["place"], detail["notes"][0]["text"]) == ("掉线严重", "深圳南山", "已联系")


@pytest.mark.parametrize("text", ["\\ud800", "回复 \\udfff 用户"])
def test_a_lone_surrogate_in_a_note_is_answered_without_a_server_error(staff, text):
    ticket = file(staff, "a")
    call(staff, "sam", "POST", f"/complaints/{ticket}/claim")
    body = '{"text": "' + text + '"}'
    response = staff.client.post(
        f"/api/complaints/{ticket}/notes",
        content=body.encode(),
        headers={**staff.auth("sam"), "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 422), response.text
    response.json()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/complaints", {"offset": str(2**63)}),
        ("/complaints", {"offset": str(2**64 + 5)}),
        ("/stats", {"from": "0001-01-01", "to": "0001-01-05"}),
        ("/stats", {"from": "9999-12-30", "to": "9999-12-31"}),
        ("/stats", {"to": "0001-01-03"}),
        ("/complaints/export.csv", {"from": "9999-12-01"}),
        ("/complaints/export.csv", {"from": "0001-01-01", "to": "0001-01-01"}),
    ],
)
def test_edge_numbers_and_far_off_years_get_a_clear_422_not_a_server_error(staff, path, params):
    response = call(staff, "sam", "GET", path, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_two_supervisors_deactivating_each_other_at_once_leave_one_supervisor(staff):
    staff.add_user("tess", Role.SUPERVISOR)
    for round_ in range(3):
        tokens = {"sam": staff.auth("sam"), "tess": staff.auth("tess")}
        pairs = [("sam", "tess"), ("tess", "sam")]

        def deactivate(i, pairs=pairs, tokens=tokens):
            by, whom = pairs[i]
            return staff.client.patch(f"/api/users/{whom}", headers=tokens[by], json={"active": False})

        statuses = sorted(r.status_code for r in run_together(2, deactivate))
        assert statuses[0] == 200 and statuses[1] in (401, 409, 503), statuses
        with staff.uow() as uow:
            active = [u.username for u in uow.users.list() if u.active and u.role is Role.SUPERVISOR]
        assert len(active) == 1, round_
        other = "tess" if active[0] == "sam" else "sam"
        restored = staff.client.patch(f"/api/users/{other}", headers=staff.auth(active[0]), json={"active": True})
        assert restored.status_code == 200


def test_the_last_active_supervisor_cannot_be_deactivated_or_demoted(staff):
    # Through the API only a second supervisor can try, so this is the service as a script would call it.
    by = Actor(username="root", role=Role.SUPERVISOR)
    for change in ({"active": False}, {"role": Role.AGENT}):
        with pytest.raises(LastSupervisor):
            accounts.update_user(staff.uow(), FAST, "SAM", by=by, now=staff.clock(), **change)
    staff.add_user("tess", Role.SUPERVISOR)
    assert accounts.update_user(staff.uow(), FAST, "sam", by=by, now=staff.clock(), active=False).active is False
    refused = call(staff, "tess", "PATCH", "/users/tess", json={"active": False})
    assert refused.status_code == 403  # never oneself


def test_the_console_is_served_with_its_policy_by_either_address_and_nothing_can_be_framed(staff):
    for path in ("/desk/", "/static/desk/index.html"):
        response = staff.client.get(path)
        assert response.status_code == 200
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
    for path in ("/api/docs", "/", "/api/openapi.json", "/healthz"):
        response = staff.client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def test_details_and_exports_holding_personal_data_are_never_cached(staff):
    ticket = file(staff, "a")
    for path in (f"/complaints/{ticket}", f"/complaints/{ticket}/audit", "/complaints/export.csv", "/complaints"):
        assert call(staff, "sam", "GET", path).headers["cache-control"] == "no-store", path


@pytest.mark.parametrize(
    "password",
    [
        "          ",
        "   short   ",
        "1234567890",
        "0987654321",
        "aaaaaaaaaaaa",
        "abcabcabcabc",
        "qwertyuiop",
        "Password123",
        "dave.smith",
        "Dave.Smith1",
        "abcdefghij",
        "\x00\x01passphrase",
    ],
)
def test_weak_passwords_are_refused(staff, password):
    response = call(staff, "sam", "POST", "/users", json={"username": "dave.smith", "password": password})
    assert (response.status_code, response.json()["code"]) == (422, "weak_password"), password


@pytest.mark.parametrize("password", ["correct horse battery", "ten chars!", "深圳南山 5G 信号 2026"])
def test_passphrases_are_accepted(staff, password):
    response = call(staff, "sam", "POST", "/users", json={"username": "dave", "password": password})
    assert response.status_code == 201, response.text


def test_usernames_differing_only_in_case_cannot_coexist_and_log_in_alike(staff):
    taken = call(staff, "sam", "POST", "/users", json={"username": "Alice", "password": "correct horse battery"})
    assert (taken.status_code, taken.json()["code"]) == (409, "user_exists")
    login = staff.client.post("/api/auth/login", data={"username": "ALICE", "password": "correct horse battery"})
    assert login.status_code == 200 and login.json()["username"] == "alice"


def test_logging_out_ends_the_token_on_the_server(staff):
    token = staff.client.post("/api/auth/login", data={"username": "alice", "password": "correct horse battery"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert staff.client.get("/api/auth/me", headers=headers).status_code == 200
    assert staff.client.post("/api/auth/logout", headers=headers).status_code == 204
    assert staff.client.get("/api/auth/me", headers=headers).status_code == 401
    assert staff.client.get("/api/complaints", headers=headers).status_code == 401


def test_the_last_days_before_the_period_limit_still_report(staff):
    assert call(staff, "sam", "GET", "/stats", params={"from": "2099-12-01", "to": "2099-12-31"}).status_code == 200
    assert call(staff, "sam", "GET", "/stats", params={"to": "2000-01-05"}).status_code == 200
