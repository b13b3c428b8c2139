"""A bare Sanic app of the test's own, served on a free port of 127.0.0.1 as `rasa run` serves its app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sanic import Sanic

from tests.e2e.servers import free_port


def bare_app(prefix: str) -> Sanic:
    """A new app with a name of its own (Sanic keeps a registry of names per process)."""
    Sanic.test_mode = True  # several apps in one process: Sanic's touch-up must keep the original methods
    return Sanic(f"{prefix}_{uuid.uuid4().hex[:12]}")


@asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[str]:
    """`app` listening on 127.0.0.1 with its start and stop listeners run (Sanic-CORS installs its
    middleware in a start listener); yields its base URL."""
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
