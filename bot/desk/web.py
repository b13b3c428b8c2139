"""Mounting the desk into the web app: the API under /api, its docs, the console at /desk/, the worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from bot.desk.api import api_router
from bot.desk.api.errors import install_error_handlers
from bot.desk.bootstrap import Desk
from bot.desk.worker import NotificationWorker

OPENAPI_URL = "/api/openapi.json"
# The console's page and Swagger UI are served from the app (npm run build copies Swagger UI): no CDN.
CONSOLE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def mount_desk(app: FastAPI, desk: Desk, static: Path) -> None:
    app.state.desk = desk
    install_error_handlers(app)
    app.include_router(api_router())

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="Support desk API",
            swagger_js_url="/static/build/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/build/swagger/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    @app.get("/desk", include_in_schema=False)
    def desk_redirect() -> RedirectResponse:
        return RedirectResponse("/desk/")

    @app.get("/desk/", include_in_schema=False)
    def console() -> FileResponse:
        return FileResponse(static / "desk" / "index.html", headers=CONSOLE_HEADERS)


@asynccontextmanager
async def desk_lifespan(desk: Desk) -> AsyncIterator[None]:
    """Runs the notification worker while the app serves (unless disabled), and closes the desk afterwards."""
    worker = NotificationWorker(desk, desk.settings.notify_worker_interval_seconds) if desk.worker_enabled else None
    if worker:
        worker.start()
    try:
        yield
    finally:
        if worker:
            worker.stop()
        desk.close()
