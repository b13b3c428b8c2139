"""Who may call what, for every operation the desk's OpenAPI document lists.

Each operation is tried with no token, forged and expired tokens, an agent who does not handle the
complaint, the agent who does, and a supervisor. RULES says who may: an operation missing from RULES fails
the suite, so a new endpoint cannot ship without its rule (and this test then checks the rule holds).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import httpx
import jwt
import pytest

from bot.desk.permissions import Role
from bot.desk.tokens import ALGORITHM, AUDIENCE
from tests.factories import a_draft
from tests.integration.desk_fixtures import SECRET, desk, desk_engine, staff, tracker_url

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest

PUBLIC, ANYONE, HANDLER, SUPERVISOR = "public", "anyone logged in", "the complaint's handler", "supervisors"
# Only the agent holding a live chat writes to it: not another agent, not a supervisor.
HOLDER = "the live chat's holding agent"
PHONE = "13812345678"
RULES = {
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): ANYONE,
    ("GET", "/api/auth/me"): ANYONE,
    ("GET", "/api/catalogue"): ANYONE,
    ("GET", "/api/complaints"): ANYONE,
    ("GET", "/api/complaints/{ticket}"): ANYONE,  # the full number only for the handler (checked below)
    ("GET", "/api/complaints/{ticket}/audit"): ANYONE,
    ("POST", "/api/complaints/{ticket}/claim"): ANYONE,
    ("POST", "/api/complaints/{ticket}/notes"): HANDLER,
    ("POST", "/api/complaints/{ticket}/resolve"): HANDLER,
    ("POST", "/api/complaints/{ticket}/close"): SUPERVISOR,
    ("POST", "/api/complaints/{ticket}/reopen"): SUPERVISOR,
    ("POST", "/api/complaints/{ticket}/assign"): SUPERVISOR,
    ("GET", "/api/privacy/requests"): SUPERVISOR,
    ("POST", "/api/complaints/{ticket}/erase"): SUPERVISOR,
    ("GET", "/api/stats"): SUPERVISOR,
    ("GET", "/api/complaints/export.csv"): SUPERVISOR,
    ("GET", "/api/users"): SUPERVISOR,
    ("POST", "/api/users"): SUPERVISOR,
    ("PATCH", "/api/users/{username}"): SUPERVISOR,
    ("GET", "/api/live/inbox"): ANYONE,
    ("GET", "/api/live/stream"): ANYONE,
    ("PUT", "/api/live/presence"): ANYONE,
    ("GET", "/api/live/faq"): ANYONE,
    ("GET", "/api/live/chats/{chat_id}"): ANYONE,
    ("POST", "/api/live/chats/{chat_id}/accept"): ANYONE,  # a chat taken already: 409
    ("POST", "/api/live/chats/{chat_id}/messages"): HOLDER,
    ("POST", "/api/live/chats/{chat_id}/end"): HOLDER,
    ("GET", "/api/live/chats/{chat_id}/complaint-draft"): HOLDER,
    ("POST", "/api/live/chats/{chat_id}/complaint"): HOLDER,
}
# A valid body for each request schema the document names; a new schema needs an example here.
BODIES = {
    "NoteIn": {"text": "已联系用户"},
    "ResolveIn": {"resolution": "已优化基站参数"},
    "ReopenIn": {"reason": "用户反馈仍未解决"},
    "AssignIn": {"username": "alice"},
    "UserIn": {"password": "correct horse battery", "role": "agent"},
    "UserChange": {},
    "PresenceIn": {"status": "available"},
    "AcceptIn": {"label": "A7"},
    "MessageIn": {"text": "您好"},
    "ComplaintIn": {"category": "coverage_signal", "user_consented": True, "contact_phone": PHONE},
}
counter = itertools.count()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def body_for(operation):
    content = (operation.get("requestBody") or {}).get("content") or {}
    if "application/json" not in content:
        return None
    name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert name in BODIES, f"add an example body for request schema {name} to BODIES"
    body = dict(BODIES[name])
    if name == "UserIn":
        body["username"] = f"new{next(counter)}"
    return body


def forged_tokens():
    """Tokens that must open nothing; each would be valid but for the one thing its name says."""
    now = datetime.now(timezone.utc)
    claims = {"sub": "sam", "ver": 1, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(minutes=5)}
    expired = {**claims, "iat": now - timedelta(hours=2), "exp": now - timedelta(hours=1)}

    def bearer(claims, key=SECRET, algorithm=ALGORITHM):
        return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm=algorithm)}"}

    return {
        "no token": {},
        "not a token": {"Authorization": "Bearer not-a-token"},
        "signed with another key": bearer(claims, "x" * 48),
        "unsigned (alg none)": bearer(claims, None, "none"),
        "expired": bearer(expired),
        "for another audience": bearer({**claims, "aud": "another-app"}),
        "for an unknown user": bearer({**claims, "sub": "mallory"}),
        "of an older token version": bearer({**claims, "ver": 0}),
        "basic auth": {"Authorization": "Basic c2FtOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ=="},
    }


def test_every_operation_of_the_openapi_document_has_a_rule(staff):
    listed = {(method, path) for method, path, _ in operations(staff.client.get("/api/openapi.json").json())}
    assert listed - RULES.keys() == set(), "operations without an authorisation rule in RULES"
    assert RULES.keys() - listed == set(), "rules for operations the API no longer has"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_operation_refuses_whoever_its_rule_leaves_out(staff):
    staff.add_user("carol", Role.AGENT)
    document = staff.client.get("/api/openapi.json").json()
    chat_id = staff.live_chat("matrix", holder="alice")
    checked = 0
    for method, path, operation in operations(document):
        rule = RULES[(method, path)]
        if rule == PUBLIC:
            continue
        ticket = staff.file(a_draft(contact_phone=PHONE), f"k{next(counter)}").ticket
        claim = staff.client.post(f"/api/complaints/{ticket}/claim", headers=staff.auth("alice"))
        assert claim.status_code == 200
        url = path.replace("{ticket}", ticket).replace("{username}", "carol").replace("{chat_id}", str(chat_id))
        body = body_for(operation)

        def send(headers, url=url, method=method, body=body):
            if url.endswith("/live/stream"):  # endless by design: the status and the first line tell
                with staff.client.stream(method, url, headers=headers) as response:
                    first = next(response.iter_lines(), "")
                    return httpx.Response(response.status_code, headers=response.headers, text=first)
            return staff.client.request(method, url, headers=headers, json=body)

        for name, headers in forged_tokens().items():
            response = send(headers)
            assert response.status_code == 401, (method, path, name, response.text)
            assert response.headers.get("www-authenticate") == "Bearer"
        callers = {"bob (another agent)": "bob", "alice (assigned agent)": "alice", "sam (supervisor)": "sam"}
        for name, user in callers.items():
            allowed = (
                rule == ANYONE or (user == "sam" and rule != HOLDER) or (rule in (HANDLER, HOLDER) and user == "alice")
            )
            response = send(staff.auth(user))
            if allowed:
                assert response.status_code not in (401, 403) and response.status_code < 500, (method, path, name)
            else:
                refused = "not_your_chat" if rule == HOLDER else "forbidden"
                assert (response.status_code, response.json()["code"]) == (403, refused), (method, path, name)
            if user == "bob" and response.status_code == 200:
                assert PHONE not in response.text, f"{method} {path} shows the full number to {name}"
            checked += 1
    assert checked == 3 * (len(RULES) - 1)


def test_a_deactivated_users_token_and_a_token_from_before_a_password_change_are_refused(staff):
    alice = staff.auth("alice")
    sam = staff.auth("sam")
    assert staff.client.patch("/api/users/alice", headers=sam, json={"password": "a new passphrase"}).status_code == 200
    assert staff.client.get("/api/auth/me", headers=alice).status_code == 401
    bob = staff.auth("bob")
    assert staff.client.patch("/api/users/bob", headers=sam, json={"active": False}).status_code == 200
    assert staff.client.get("/api/complaints", headers=bob).status_code == 401
