"""REST channel that validates its input before the bot sees it.

Replaces Rasa's `rest` channel at the same address (/webhooks/rest/webhook). Rasa's
own channel files a request without `sender` under one shared "default"
conversation, answers a non-JSON body with an HTML page, and turns a processing
error into `200 []`; this one answers each with a JSON 4xx/5xx saying what is wrong.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_server.channels.guard import refusing_internal_intents
from rasa_server.channels.language import with_language
from rasa_server.channels.payload import DEFAULT_MAX_MESSAGE_LENGTH, PayloadError, parse_payload

logger = logging.getLogger(__name__)


class ValidatedRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ValidatedRestInput:
        credentials = credentials or {}
        return cls(int(credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)))

    def __init__(self, max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH) -> None:
        self.max_message_length = max_message_length

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("validated_rest_webhook", __name__)
        on_new_message = refusing_internal_intents(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming = parse_payload(request.body, request.content_type, self.max_message_length)
            except PayloadError as error:
                logger.info("rejected REST message: %s", error.code)
                return response.json(error.as_json(), status=error.status)
            collector = CollectingOutputChannel()
            message = UserMessage(
                incoming.text,
                collector,
                incoming.sender,
                input_channel=self.name(),
                metadata=with_language(incoming.text, incoming.metadata),
                message_id=incoming.message_id,
            )
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("message handling timed out for a REST message")
                return response.json(
                    {"error": "timeout", "message": "The bot took too long; please retry."}, status=503
                )
            except Exception:
                logger.exception("error while handling a REST message")
                return response.json(
                    {"error": "unavailable", "message": "The bot could not answer; please retry."}, status=503
                )
            return response.json(collector.messages)

        return webhook
