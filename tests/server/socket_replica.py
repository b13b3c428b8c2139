"""A second Rasa-like process holding web chat sockets: the web chat channel with the Redis
client manager on a bare Sanic app (no model). Run: python -m tests.server.socket_replica PORT REDIS_URL.

tests/server/test_handoff_endpoint.py connects a socket.io client here and sends the agent's
message from its own process: only Redis can carry it to this one.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic, response
from sanic.request import Request

from rasa_server.channels.webchat import WebChatInput

ORIGIN = "http://127.0.0.1"


def main(port: int, redis_url: str) -> None:
    app = Sanic("socket_replica")
    app.ctx.agent = SimpleNamespace(tracker_store=InMemoryTrackerStore(Domain.empty()))
    channel = WebChatInput(origins=[ORIGIN], redis_url=redis_url)

    async def nothing(message: UserMessage) -> Any:
        return None

    app.blueprint(channel.blueprint(nothing), url_prefix="/webhooks/socketio")

    @app.get("/ready")
    async def ready(_: Request) -> Any:
        return response.json({"ok": True})

    app.run(host="127.0.0.1", port=port, access_log=False, workers=1)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
