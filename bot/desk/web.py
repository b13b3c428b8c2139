"""Mounting the desk into the web app: the API under /api, its docs, the console at /desk/, the worker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from bot.desk.api import api_router
from bot.desk.api.errors import install_error_handlers
from bot.desk.api.live import install_live
from bot.desk.bootstrap import Desk
from bot.desk.broker import Consumer, TimeoutWorker, make_consumer
from bot.desk.live_desk import LiveDesk
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


# Every response: not to be framed (clickjacking), types not sniffed, no referrer sent.
ALWAYS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
FRAME_ANCESTORS = "frame-ancestors 'none'"


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """The headers above on every response; the console's CSP on its page however it is reached (also as
    /static/desk/index.html); no caching of anything the API answers (details and exports hold personal data)."""
    response = await call_next(request)
    for name, value in ALWAYS.items():
        response.headers.setdefault(name, value)
    path = request.url.path
    if path.startswith("/static/desk/") and path.endswith((".html", "/")):
        response.headers.update(CONSOLE_HEADERS)
    if "content-security-policy" not in response.headers:
        response.headers["Content-Security-Policy"] = FRAME_ANCESTORS
    if path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")
    return response


def mount_desk(app: FastAPI, desk: Desk, static: Path) -> None:
    app.state.desk = desk
    install_error_handlers(app)
    install_live(app, LiveDesk.of(desk))
    app.middleware("http")(security_headers)
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
async def desk_lifespan(desk: Desk, live: LiveDesk | None = None) -> AsyncIterator[None]:
    """Runs the notification worker, the event broker's consumer and the hand-off timeout while the app
    serves (unless the worker is disabled), and closes the desk afterwards."""
    worker = NotificationWorker(desk, desk.settings.notify_worker_interval_seconds) if desk.worker_enabled else None
    loops: list[NotificationWorker | Consumer | TimeoutWorker] = [worker] if worker else []
    if live is not None and desk.worker_enabled:
        loops += [make_consumer(live), TimeoutWorker(live)]
    for loop in loops:
        loop.start()
    try:
        yield
    finally:
        for loop in loops:
            loop.stop()
        desk.close()
