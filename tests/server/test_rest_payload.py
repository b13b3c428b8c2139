"""Validation of REST webhook bodies (server environment)."""

import json

import pytest

from rasa_server.channels.payload import PayloadError, parse_payload

JSON = "application/json"


def body(**fields):
    return json.dumps(fields).encode()


def test_a_valid_message_is_accepted_with_its_metadata_and_id():
    incoming = parse_payload(body(sender="u1", message="你好", message_id="m1", metadata={"language": "zh"}), JSON)
    assert (incoming.sender, incoming.text, incoming.message_id, incoming.metadata) == (
        "u1",
        "你好",
        "m1",
        {"language": "zh"},
    )


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b"not json", JSON, 400, "malformed_json"),
        (b"\xff\xfe", JSON, 400, "malformed_json"),
        (b"[1, 2]", JSON, 400, "malformed_json"),
        (body(sender="u", message="hi"), "text/plain", 415, "unsupported_media_type"),
        (body(sender="u", message="hi"), None, 415, "unsupported_media_type"),
        (body(message="hi"), JSON, 400, "invalid_sender"),
        (body(sender="", message="hi"), JSON, 400, "invalid_sender"),
        (body(sender="u" * 200, message="hi"), JSON, 400, "invalid_sender"),
        (body(sender="u"), JSON, 400, "invalid_message"),
        (body(sender="u", message=123), JSON, 400, "invalid_message"),
        (body(sender="u", message=""), JSON, 400, "empty_message"),
        (body(sender="u", message=" \n\t "), JSON, 400, "empty_message"),
        (body(sender="u", message="x" * 10_000), JSON, 413, "message_too_long"),
        (body(sender="u", message="hi", metadata=[1]), JSON, 400, "invalid_metadata"),
        (body(sender="u", message="hi", message_id=5), JSON, 400, "invalid_message_id"),
    ],
)
def test_bad_bodies_are_refused_with_a_clear_status_and_code(raw, content_type, status, code):
    with pytest.raises(PayloadError) as caught:
        parse_payload(raw, content_type)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.message
