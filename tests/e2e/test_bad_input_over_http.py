"""Bad input at the REST webhook gets a clear 4xx or a sensible reply; never a 500 or a hang."""

import json
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


def post(servers, body: bytes, content_type="application/json"):
    return requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}, timeout=30
    )


def message(text, sender=None):
    return json.dumps({"sender": sender or f"bad-{uuid.uuid4().hex[:8]}", "message": text}).encode()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (message(""), "application/json", 400, "empty_message"),
        (message("   \n\t"), "application/json", 400, "empty_message"),
        (message("5G" * 5000), "application/json", 413, "message_too_long"),
        (b"{not json", "application/json", 400, "malformed_json"),
        (b"hello", "text/plain", 415, "unsupported_media_type"),
        (json.dumps({"message": "hi"}).encode(), "application/json", 400, "invalid_sender"),
        (json.dumps({"sender": "x", "message": 42}).encode(), "application/json", 400, "invalid_message"),
    ],
)
def test_bad_requests_get_a_json_4xx_that_says_what_is_wrong(servers, body, content_type, status, code):
    response = post(servers, body, content_type)
    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.json()["message"]


@pytest.mark.parametrize(
    "text",
    ["😀😀😀", "\x01\x02 你好 \x7f", "5G套餐能 downgrade 吗", "？？？", "12345678", "a" * 1999],
)
def test_odd_but_valid_messages_get_a_non_empty_reply(servers, text):
    response = post(servers, message(text))
    assert response.status_code == 200
    replies = [m.get("text", "") for m in response.json()]
    assert len(replies) >= 2, "the welcome and an answer to the message"
    assert all(r.strip() for r in replies)


def test_a_bad_request_loses_nothing_of_the_conversation(servers):
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    assert post(servers, message("你好", sender)).status_code == 200
    assert post(servers, message("", sender)).status_code == 400
    replies = [m.get("text", "") for m in post(servers, message("are you a bot", sender)).json()]
    assert replies and "automated" in replies[0]
