"""The support desk's way into a conversation during a live hand-off: `POST /webhooks/handoff/<verb>`.

Protected by a shared secret (header `X-Handoff-Secret`, HANDOFF_SECRET in the environment,
compared in constant time): missing or wrong -> 401; no secret configured -> 503, so the
endpoint is never open by default. JSON bodies:

- `joined`      {conversation_id, agent_label}: the user is told, in their language, that the agent
                joined (utter_handoff_joined of the domain, rendered with the conversation's slots);
- `message`     {conversation_id, agent_label, text, message_id}: the agent's text, stored in the
                tracker as a BotUttered with metadata {"author": "agent", "agent": label,
                "message_id": id} (once per message_id) and pushed to the user's channel;
- `end`         {conversation_id, by: "agent"|"user"}: ConversationResumed, then the internal intent
                `handoff_ended`: the bot says it is back and asks the satisfaction question;
- `unavailable` {conversation_id, reason: "timeout"}: ConversationResumed, then `handoff_unavailable`:
                the user is told honestly that nobody accepted and is offered the complaint record.

Answers: 200 {"ok": true, "delivered": bool}; 400 a malformed body; 404 an unknown conversation;
409 a conversation that is not paused (joined, message). `end`/`unavailable` on a conversation
that already runs again answer 200 with "resumed": false, so the desk can retry safely.
Everything for one conversation happens under Rasa's lock of that conversation.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_server.channels.delivery import Delivery

logger = logging.getLogger(__name__)

SECRET_ENV = "HANDOFF_SECRET"
SECRET_HEADER = "X-Handoff-Secret"
MAX_TEXT = 2000
MAX_FIELD = 128
JOINED_RESPONSE = "utter_handoff_joined"
ENDED_INTENT = "handoff_ended"
UNAVAILABLE_INTENT = "handoff_unavailable"
ENDED_BY = ("agent", "user")


class HandoffError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, "message": self.message}


@dataclass(frozen=True)
class HandoffRequest:
    verb: str
    conversation_id: str
    agent_label: str = ""
    text: str = ""
    message_id: str = ""
    by: str = "agent"
    reason: str = "timeout"


def _field(data: dict[str, Any], name: str, limit: int = MAX_FIELD, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise HandoffError(
            400, f"invalid_{name}", f"'{name}' must be a non-empty string of at most {limit} characters."
        )
    return value.strip()


def parse_request(verb: str, body: bytes) -> HandoffRequest:
    """The verb's fields from a JSON body, or HandoffError(400) naming what is wrong."""
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HandoffError(400, "malformed_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise HandoffError(400, "malformed_json", "Expected a JSON object.")
    conversation_id = _field(data, "conversation_id")
    if verb == "joined":
        return HandoffRequest(verb, conversation_id, agent_label=_field(data, "agent_label", 64))
    if verb == "message":
        return HandoffRequest(
            verb,
            conversation_id,
            agent_label=_field(data, "agent_label", 64),
            text=_field(data, "text", MAX_TEXT),
            message_id=_field(data, "message_id"),
        )
    if verb == "end":
        by = data.get("by", "agent")
        if by not in ENDED_BY:
            raise HandoffError(400, "invalid_by", '\'by\' must be "agent" or "user".')
        return HandoffRequest(verb, conversation_id, by=by)
    reason = data.get("reason", "timeout")
    if not isinstance(reason, str) or len(reason) > MAX_FIELD:
        raise HandoffError(400, "invalid_reason", "'reason' must be a short string.")
    return HandoffRequest(verb, conversation_id, reason=reason)


def agent_message(request: HandoffRequest) -> dict[str, Any]:
    return {
        "text": request.text,
        "metadata": {"author": "agent", "agent": request.agent_label, "message_id": request.message_id},
    }


def already_stored(tracker: DialogueStateTracker, message_id: str) -> bool:
    return any(
        isinstance(event, BotUttered) and (event.metadata or {}).get("message_id") == message_id
        for event in tracker.events
    )


class Handoff:
    """The verbs on Rasa's agent: tracker changes under the conversation's lock, then delivery."""

    def __init__(self, agent: Agent, delivery: Delivery) -> None:
        self.agent = agent
        self.delivery = delivery

    async def handle(self, request: HandoffRequest) -> dict[str, Any]:
        async with self.agent.lock_store.lock(request.conversation_id):
            tracker = await self._tracker(request.conversation_id)
            if request.verb in ("joined", "message"):
                if not tracker.is_paused():
                    raise HandoffError(409, "not_paused", "The conversation is not handed over to an agent.")
                messages = await (
                    self._joined(tracker, request) if request.verb == "joined" else self._message(tracker, request)
                )
            else:
                if not tracker.is_paused():
                    return {"ok": True, "delivered": False, "resumed": False}
                messages = await self._resume(tracker, request)
        delivered = await self.delivery.deliver(tracker, messages)
        logger.info(
            "hand-off %s for a %s conversation: delivered=%s",
            request.verb,
            tracker.get_latest_input_channel(),
            delivered,
        )
        return {"ok": True, "delivered": delivered}

    async def _tracker(self, conversation_id: str) -> DialogueStateTracker:
        store = self.agent.tracker_store
        tracker = await store.retrieve(conversation_id) if store is not None else None
        if tracker is None or not tracker.events:
            raise HandoffError(404, "unknown_conversation", "No conversation has this id.")
        return tracker

    async def _save(self, tracker: DialogueStateTracker) -> None:
        assert self.agent.processor is not None
        await self.agent.processor.save_tracker(tracker)

    async def _joined(self, tracker: DialogueStateTracker, request: HandoffRequest) -> list[dict[str, Any]]:
        assert self.agent.processor is not None
        channel = tracker.get_latest_input_channel()
        rendered = await self.agent.processor.nlg.generate(
            JOINED_RESPONSE, tracker, channel or "", agent=request.agent_label
        )
        if not rendered or not rendered.get("text"):
            raise HandoffError(500, "no_response", f"The domain has no {JOINED_RESPONSE}.")
        metadata = {"utter_action": JOINED_RESPONSE, "handoff": "joined", "agent": request.agent_label}
        tracker.update(BotUttered(rendered["text"], data={}, metadata=metadata))
        await self._save(tracker)
        return [{"text": rendered["text"], "metadata": metadata}]

    async def _message(self, tracker: DialogueStateTracker, request: HandoffRequest) -> list[dict[str, Any]]:
        message = agent_message(request)
        if already_stored(tracker, request.message_id):
            return [message]  # the desk retried: stored once, sent again
        tracker.update(BotUttered(request.text, data={}, metadata=message["metadata"]))
        await self._save(tracker)
        return [message]

    async def _resume(self, tracker: DialogueStateTracker, request: HandoffRequest) -> list[dict[str, Any]]:
        """ConversationResumed, then the internal intent's turn; what the bot said in it."""
        assert self.agent.processor is not None
        tracker.update(ConversationResumed())
        if tracker.latest_action_name != ACTION_LISTEN_NAME:
            # A paused conversation stopped after the action that paused it, before Rasa's
            # action_listen: without one, the intent's turn would match no rule.
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        collector = CollectingOutputChannel()
        intent = ENDED_INTENT if request.verb == "end" else UNAVAILABLE_INTENT
        await self.agent.processor.trigger_external_user_uttered(intent, None, tracker, collector)
        return collector.messages


class HandoffInput(InputChannel):
    """Listed in credentials.yml; opens /webhooks/handoff/<verb> for the support desk."""

    @classmethod
    def name(cls) -> str:
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HandoffInput:
        secret = os.environ.get(SECRET_ENV) or None
        if secret is None:
            logger.warning("%s is not set: the hand-off endpoint answers 503", SECRET_ENV)
        return cls(secret, redis_url=os.environ.get("REDIS_URL") or None)

    def __init__(self, secret: str | None, redis_url: str | None = None) -> None:
        self.secret = secret
        self.redis_url = redis_url

    def authorised(self, request: Request) -> HandoffError | None:
        if not self.secret:
            return HandoffError(503, "not_configured", f"The hand-off endpoint needs {SECRET_ENV}.")
        given = request.headers.get(SECRET_HEADER) or ""
        if not hmac.compare_digest(given.encode("utf-8"), self.secret.encode("utf-8")):
            logger.warning(
                "hand-off request refused: wrong or missing secret (ip=%s)", request.remote_addr or request.ip
            )
            return HandoffError(401, "unauthorised", f"Missing or wrong {SECRET_HEADER}.")
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("handoff_webhook", __name__)

        @webhook.route("/<verb:str>", methods=["POST"])
        async def receive(request: Request, verb: str) -> HTTPResponse:
            if refused := self.authorised(request):
                return response.json(refused.as_json(), status=refused.status)
            if verb not in ("joined", "message", "end", "unavailable"):
                return response.json({"ok": False, "error": "unknown_verb"}, status=404)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"ok": False, "error": "not_ready", "message": "No model is loaded."}, status=503)
            delivery = Delivery(getattr(request.app.ctx, "input_channels", []), self.redis_url)
            try:
                result = await Handoff(agent, delivery).handle(parse_request(verb, request.body))
            except HandoffError as error:
                return response.json(error.as_json(), status=error.status)
            return response.json(result)

        return webhook
