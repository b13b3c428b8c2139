"""Validation of an incoming REST message, kept free of web-framework imports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rasa_server.messages import english_and_chinese

DEFAULT_MAX_MESSAGE_LENGTH = 2000
MAX_SENDER_LENGTH = 128


class PayloadError(Exception):
    """A request the bot must not process; carries the HTTP status and a clear message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


@dataclass(frozen=True)
class IncomingMessage:
    sender: str
    text: str
    message_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def parse_payload(
    body: bytes, content_type: str | None, max_length: int = DEFAULT_MAX_MESSAGE_LENGTH
) -> IncomingMessage:
    """Turn a POST body into a message, or raise PayloadError saying what is wrong."""
    if not (content_type or "").lower().startswith("application/json"):
        raise PayloadError(415, "unsupported_media_type", "Send JSON with Content-Type: application/json.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PayloadError(400, "malformed_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise PayloadError(400, "malformed_json", 'Expected a JSON object: {"sender": ..., "message": ...}.')
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        raise PayloadError(
            400, "invalid_sender", f"'sender' must be a non-empty string of at most {MAX_SENDER_LENGTH} characters."
        )
    text = data.get("message")
    if not isinstance(text, str):
        raise PayloadError(400, "invalid_message", "'message' must be a string.")
    if not text.strip():
        raise PayloadError(400, "empty_message", english_and_chinese("refused.empty"))
    if len(text) > max_length:
        raise PayloadError(
            413, "message_too_long", english_and_chinese("refused.too_long", length=len(text), limit=max_length)
        )
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise PayloadError(400, "invalid_metadata", "'metadata' must be a JSON object.")
    message_id = data.get("message_id")
    if message_id is not None and not isinstance(message_id, str):
        raise PayloadError(400, "invalid_message_id", "'message_id' must be a string.")
    return IncomingMessage(sender=sender.strip(), text=text, message_id=message_id, metadata=metadata)
