"""FastAPI app serving the chat page, the embeddable chat widget, and the support desk (API and console)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from bot.desk.bootstrap import bootstrap, utc_now
from bot.desk.web import OPENAPI_URL, desk_lifespan, mount_desk
from bot.notifications.outbox import Sender
from bot.settings import Settings, get_settings
from bot.web.widget import mount_widget
from common.redact import install_log_redaction

STATIC = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    send: Sender | None = None,
) -> FastAPI:
    """The web front; `clock` and `send` (webhook delivery) are for tests."""
    settings = settings or get_settings()
    install_log_redaction()
    desk = bootstrap(settings, clock=clock, send=send)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with desk_lifespan(desk, app.state.live):
            yield

    app = FastAPI(
        title="5G service bot – web and support desk",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL,
        lifespan=lifespan,
    )

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    mount_widget(app, settings, STATIC / "build")
    mount_desk(app, desk, STATIC)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
