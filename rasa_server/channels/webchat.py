"""socket.io channel of the embeddable web chat (replaces Rasa's `socketio` at the same address).

What it adds to Rasa's channel (rasa/core/channels/socketio.py):
- only the origins in ALLOWED_ORIGINS may connect: the engine.io server refuses the handshake,
  the long-polling requests and the WebSocket upgrade of any other Origin (Rasa's own channel
  turns the check off with `cors_allowed_origins=[]`);
- a session id is the browser's random 32-hex-digit id, confirmed with `session_request`; a
  socket can only write to and read from the session it asked for, so it cannot speak in a REST
  or WeChat conversation (whose ids have other shapes);
- `history_request` returns the current session's messages from the tracker (rasa_server/channels/history.py),
  so a reload or another page of the site shows the conversation again;
- `bot_typing` tells the session's sockets while a turn is being processed, and `user_echo` shows a
  message in the visitor's other tabs;
- a message that is not text, is empty or is too long gets `message_refused` with a clear reason;
- a message re-sent after a dropped connection (`retry`) is skipped if the tracker already has its id;
- a binary packet closes the connection (the widget sends none; see WebChatServer).
- with REDIS_URL set, the server's client manager is python-socketio's `AsyncRedisManager`: an emit
  from any Rasa process (an agent's message, rasa_server/channels/handoff.py) reaches the socket
  whichever process holds it;
- `push` sends messages to a session outside a turn (an agent's, the bot's after a hand-off).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

import engineio
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncServer

from common.events import USER, kind
from common.origins import allowed_origins, parse_origins
from rasa_server.channels.delivery import socket_payload
from rasa_server.channels.guard import refusing_internal_intents
from rasa_server.channels.history import history_messages
from rasa_server.channels.language import adding_language
from rasa_server.channels.payload import DEFAULT_MAX_MESSAGE_LENGTH
from rasa_server.messages import english_and_chinese

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
MESSAGE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
METADATA_KEYS = {"language", "operator", "shown"}


class RefusedMessage(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


def clean_metadata(value: object) -> dict[str, str]:
    """The widget's metadata (language, operator, the title of a tapped button), short strings only."""
    if not isinstance(value, dict):
        return {}
    return {k: v[:200] for k, v in value.items() if k in METADATA_KEYS and isinstance(v, str)}


def check_text(value: object, max_length: int) -> str:
    if not isinstance(value, str):
        raise RefusedMessage("invalid_message", english_and_chinese("refused.not_text"))
    if not value.strip():
        raise RefusedMessage("empty_message", english_and_chinese("refused.empty"))
    if len(value) > max_length:
        raise RefusedMessage(
            "message_too_long", english_and_chinese("refused.too_long", length=len(value), limit=max_length)
        )
    return value


class OriginCheckedEngineServer(engineio.AsyncServer):
    """engine.io answers CORS for /socket.io itself: the allowed page's origin, nothing for others.

    Rasa's `--cors` (Sanic-CORS on every route) would add a second Access-Control-Allow-Origin,
    which makes browsers drop long-polling responses, and would name a refused origin too; the
    request is marked as already handled by CORS so Sanic-CORS leaves it alone.
    """

    async def handle_request(self, *args: Any, **kwargs: Any) -> Any:
        context = getattr(args[0], "ctx", None) if args else None
        if context is not None:
            setattr(context, SANIC_CORS_EVALUATED, "1")
        return await super().handle_request(*args, **kwargs)


# socket.io packet types 5 and 6: an event or ack whose binary attachments follow in later messages.
BINARY_PACKET_TYPES = ("5", "6")


class WebChatServer(AsyncServer):
    """Refuses binary packets: the widget sends text only.

    python-socketio keeps a binary packet in memory until all its attachments arrive, so a client
    that never sends them can fill the server's memory (CVE-2026-48804, fixed in 5.16.2, which
    Rasa 3.6's channel cannot use); such a connection is closed instead.
    """

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return OriginCheckedEngineServer

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if not isinstance(data, str) or data.startswith(BINARY_PACKET_TYPES):
            logger.warning("web chat: a binary socket.io packet was refused and its connection closed")
            await self.eio.disconnect(eio_sid)
            return
        await super()._handle_eio_message(eio_sid, data)


class AppAwareSocketBlueprint(SocketBlueprint):
    """Keeps the Sanic app it is registered on: the agent (and its tracker store) lives in `app.ctx`."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.app = app
        super().register(app, options)


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        credentials = credentials or {}
        configured = credentials.get("allowed_origins")
        origins = parse_origins(" ".join(configured)) if configured else allowed_origins()
        return cls(
            origins=origins,
            redis_url=os.environ.get("REDIS_URL") or None,
            max_message_length=int(credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        origins: list[str],
        redis_url: str | None = None,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
    ) -> None:
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
            metadata_key="metadata",
        )
        self.origins = list(origins)
        self.redis_url = redis_url
        self.max_message_length = max_message_length
        self.path = socketio_path  # Rasa's socketio_path, typed Optional there
        self.sio: AsyncServer | None = None
        logger.info("web chat accepts the origins %s", ", ".join(self.origins))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = refusing_internal_intents(adding_language(on_new_message))
        sio = WebChatServer(async_mode="sanic", cors_allowed_origins=self.origins, **self._manager())
        bp = AppAwareSocketBlueprint(sio, self.path, "webchat_socketio_webhook", __name__)
        self.sio = sio

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None = None) -> bool:
            # engine.io already refused a foreign Origin; a connection without one is not a browser page.
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin not in self.origins:
                logger.info("web chat refused the origin %s", origin)
                return False
            return True

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(requested, str) or not SESSION_ID.match(requested):
                await sio.emit(
                    "session_refused",
                    {"error": "invalid_session", "message": "The session id must be 32 hexadecimal digits."},
                    room=sid,
                )
                return
            await sio.save_session(sid, {"session_id": requested})
            sio.enter_room(sid, requested)
            await sio.emit("session_confirm", requested, room=sid)

        async def session_of(sid: str) -> str | None:
            return (await sio.get_session(sid)).get("session_id")

        @sio.on("history_request")
        async def history_request(sid: str, _: Any = None) -> dict[str, Any]:
            session_id = await session_of(sid)
            if not session_id:
                return {"error": "no_session", "messages": []}
            messages = await self.history(bp.ctx.app, session_id)
            return {"session_id": session_id, "messages": messages}

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> dict[str, Any]:
            session_id = await session_of(sid)
            if not session_id:
                return {"error": "no_session", "message": "Send session_request first."}
            if not isinstance(data, dict):
                data = {}
            try:
                text = check_text(data.get("message"), self.max_message_length)
            except RefusedMessage as refused:
                await sio.emit("message_refused", refused.as_json(), room=sid)
                return refused.as_json()
            message_id = data.get("message_id")
            if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
                message_id = None
            if message_id and data.get("retry") and await self.already_received(bp.ctx.app, session_id, message_id):
                return {"ok": True, "duplicate": True}
            metadata = clean_metadata(data.get(self.metadata_key))
            message = UserMessage(
                text,
                SocketIOOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                metadata=metadata,
                message_id=message_id,
            )
            # The visitor's other tabs show the message too (they receive the answers through the room).
            shown = metadata.get("shown") or text
            if not text.startswith("/") or metadata.get("shown"):
                echo = {"text": shown, "id": message_id}
                await sio.emit("user_echo", echo, room=session_id, skip_sid=sid)
            await sio.emit("bot_typing", {"typing": True}, room=session_id)
            try:
                await on_new_message(message)
            finally:
                await sio.emit("bot_typing", {"typing": False}, room=session_id)
            return {"ok": True}

        return bp

    def _manager(self) -> dict[str, Any]:
        """With REDIS_URL, the sockets of every Rasa process are reachable through Redis."""
        if not self.redis_url:
            return {}
        import socketio

        logger.info("web chat: socket.io rooms shared through Redis")
        return {"client_manager": socketio.AsyncRedisManager(self.redis_url)}

    async def push(self, tracker: DialogueStateTracker, messages: list[dict[str, Any]]) -> bool:
        """Sends `messages` to the session's sockets (any process's, with the Redis manager)."""
        if self.sio is None:
            return False
        for message in messages:
            await self.sio.emit(self.bot_message_evt, socket_payload(message), room=tracker.sender_id)
        return True

    @staticmethod
    async def events_of(app: Sanic | None, session_id: str, full: bool = False) -> list[dict[str, Any]]:
        """The conversation's events: since the latest session start (Rasa's `retrieve`), or all of them."""
        agent = getattr(app.ctx, "agent", None) if app is not None else None
        if agent is None or agent.tracker_store is None:
            return []
        store = agent.tracker_store
        tracker = await (store.retrieve_full_tracker(session_id) if full else store.retrieve(session_id))
        return [event.as_dict() for event in tracker.events] if tracker else []

    async def history(self, app: Sanic | None, session_id: str) -> list[dict[str, Any]]:
        # The full tracker: a conversation opened with /session_start has its welcome in the session before.
        return history_messages(await self.events_of(app, session_id, full=True))

    async def already_received(self, app: Sanic | None, session_id: str, message_id: str) -> bool:
        events = await self.events_of(app, session_id)
        return any(kind(e) == USER and e.get("message_id") == message_id for e in events)
