"""Who may use the desk: no token → 401 everywhere, roles and assignment → 403, and the login itself."""

from datetime import datetime, timedelta, timezone

import jwt
import pytest

from bot.cli import main
from bot.desk.permissions import Role
from bot.desk.tokens import Tokens
from tests.factories import NOW, a_draft
from tests.integration.desk_fixtures import PASSWORD, SECRET, desk, desk_engine, staff, tracker_url

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest

TICKET = "C20261129-0001"
LONG = timedelta(days=999)
EVERY_ENDPOINT = [
    ("GET", "/api/auth/me"),
    ("GET", "/api/complaints"),
    ("GET", "/api/catalogue"),
    ("GET", f"/api/complaints/{TICKET}"),
    ("GET", f"/api/complaints/{TICKET}/audit"),
    ("POST", f"/api/complaints/{TICKET}/claim"),
    ("POST", f"/api/complaints/{TICKET}/notes"),
    ("POST", f"/api/complaints/{TICKET}/resolve"),
    ("POST", f"/api/complaints/{TICKET}/close"),
    ("POST", f"/api/complaints/{TICKET}/reopen"),
    ("POST", f"/api/complaints/{TICKET}/assign"),
    ("GET", "/api/complaints/export.csv"),
    ("GET", "/api/stats"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("PATCH", "/api/users/alice"),
]
SUPERVISOR_ONLY = [
    ("GET", "/api/stats", None),
    ("GET", "/api/complaints/export.csv", None),
    ("GET", "/api/users", None),
    ("POST", "/api/users", {"username": "eve", "password": "long enough password", "role": "supervisor"}),
    ("PATCH", "/api/users/bob", {"role": "supervisor"}),
    ("POST", f"/api/complaints/{TICKET}/close", {}),
    ("POST", f"/api/complaints/{TICKET}/reopen", {"reason": "x"}),
    ("POST", f"/api/complaints/{TICKET}/assign", {"username": "alice"}),
]


def login(desk, username, password):
    return desk.client.post("/api/auth/login", data={"username": username, "password": password})


def test_every_endpoint_refuses_requests_without_a_token(staff):
    staff.file(a_draft(), "a")
    for method, path in EVERY_ENDPOINT:
        response = staff.client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert "13812345678" not in response.text


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        jwt.encode({"sub": "sam", "ver": 1, "aud": "g5care-desk", "iat": NOW, "exp": NOW + LONG}, "x" * 40),
        jwt.encode({"sub": "sam", "ver": 1, "aud": "g5care-desk"}, SECRET),
        jwt.encode({"sub": "sam", "ver": 1, "exp": NOW + LONG, "iat": NOW}, SECRET),
    ],
    ids=["garbage", "foreign-key", "no-expiry", "no-audience"],
)
def test_forged_or_incomplete_tokens_are_refused(staff, token):
    response = staff.client.get("/api/complaints", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_an_expired_token_is_refused(staff):
    with staff.uow() as uow:
        sam = uow.users.get("sam")
    issued_16_minutes_ago = Tokens(SECRET, 15, clock=lambda: datetime.now(timezone.utc) - timedelta(minutes=16))
    token = issued_16_minutes_ago.issue(sam).token
    response = staff.client.get("/api/complaints", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_logging_in_gives_a_short_lived_token_that_works(staff):
    response = login(staff, "alice", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["username"], body["role"]) == ("bearer", 900, "alice", "agent")
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"], audience="g5care-desk")
    assert claims["exp"] - claims["iat"] == 900
    me = staff.client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "alice", "role": "agent"}


def test_a_wrong_password_and_an_unknown_user_get_the_same_401(staff):
    wrong_password = login(staff, "alice", "not the password")
    unknown_user = login(staff, "mallory", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 401
    expected = {"detail": "incorrect username or password", "code": "invalid_credentials"}
    assert wrong_password.json() == expected and unknown_user.json() == expected


def test_repeated_wrong_passwords_are_refused_for_a_while_even_with_the_right_one(staff):
    for _ in range(5):  # DESK_LOGIN_MAX_FAILURES
        assert login(staff, "alice", "not the password").status_code == 401
    refused = login(staff, "alice", PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_attempts"
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    # Only that username is held up: another agent on the same address still logs in.
    assert login(staff, "bob", PASSWORD).status_code == 200


def test_a_successful_login_starts_the_count_of_failures_again(staff):
    for _ in range(4):
        login(staff, "alice", "not the password")
    assert login(staff, "alice", PASSWORD).status_code == 200
    for _ in range(4):
        assert login(staff, "alice", "not the password").status_code == 401
    assert login(staff, "alice", PASSWORD).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), SUPERVISOR_ONLY)
def test_an_agent_cannot_use_supervisor_functions(staff, method, path, body):
    staff.file(a_draft(), "a")
    response = staff.client.request(method, path, headers=staff.auth("alice"), json=body)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"


def test_an_agent_cannot_resolve_or_write_on_a_complaint_assigned_to_someone_else(staff):
    ticket = staff.file(a_draft(), "a").ticket
    staff.client.post(f"/api/complaints/{ticket}/claim", headers=staff.auth("alice"))
    resolve = staff.client.post(
        f"/api/complaints/{ticket}/resolve", headers=staff.auth("bob"), json={"resolution": "已处理"}
    )
    note = staff.client.post(f"/api/complaints/{ticket}/notes", headers=staff.auth("bob"), json={"text": "x"})
    assert (resolve.status_code, note.status_code) == (403, 403)
    detail = staff.client.get(f"/api/complaints/{ticket}", headers=staff.auth("bob")).json()
    assert (detail["status"], detail["notes"], detail["contact_phone"]) == ("in_progress", [], "138****5678")


def test_an_agent_cannot_resolve_an_unclaimed_complaint(staff):
    ticket = staff.file(a_draft(), "a").ticket
    response = staff.client.post(
        f"/api/complaints/{ticket}/resolve", headers=staff.auth("alice"), json={"resolution": "x"}
    )
    assert response.status_code == 403


def test_a_deactivated_user_or_a_changed_password_ends_the_tokens_already_issued(staff):
    alice, bob = staff.auth("alice"), staff.auth("bob")
    sam = staff.auth("sam")
    assert staff.client.patch("/api/users/alice", headers=sam, json={"active": False}).status_code == 200
    assert staff.client.get("/api/complaints", headers=alice).status_code == 401
    assert login(staff, "alice", PASSWORD).status_code == 401
    changed = staff.client.patch("/api/users/bob", headers=sam, json={"password": "a new long password"})
    assert changed.status_code == 200
    assert staff.client.get("/api/complaints", headers=bob).status_code == 401
    assert login(staff, "bob", "a new long password").status_code == 200


def test_supervisors_manage_users_and_weak_passwords_are_refused(staff):
    sam = staff.auth("sam")
    created = staff.client.post("/api/users", headers=sam, json={"username": "carol", "password": "ten chars!"})
    assert (created.status_code, created.json()["role"]) == (201, "agent")
    weak = staff.client.post("/api/users", headers=sam, json={"username": "dave", "password": "short"})
    assert (weak.status_code, weak.json()["code"]) == (422, "weak_password")
    taken = staff.client.post(
        "/api/users", headers=sam, json={"username": "carol", "password": "another fine passphrase"}
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "user_exists")
    listed = staff.client.get("/api/users", headers=sam).json()
    assert [u["username"] for u in listed] == ["alice", "bob", "carol", "sam"]
    assert "password" not in str(listed)
    assert staff.client.patch("/api/users/sam", headers=sam, json={"active": False}).status_code == 403


def test_the_command_line_creates_the_first_supervisor_and_refuses_weak_passwords(desk, monkeypatch, capsys):
    monkeypatch.setenv("DESK_PASSWORD", "short")
    assert main(["create-user", "--role", "supervisor", "--username", "root", "--database-url", desk.database_url]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
    assert main(["create-user", "--role", "supervisor", "--username", "root", "--database-url", desk.database_url]) == 0
    assert main(["create-user", "--role", "supervisor", "--username", "root", "--database-url", desk.database_url]) == 1
    assert "already exists" in capsys.readouterr().err
    response = login(desk, "root", PASSWORD)
    assert (response.status_code, response.json()["role"]) == (200, Role.SUPERVISOR.value)
