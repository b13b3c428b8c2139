"""FastAPI app serving the chat page and its configuration."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from bot.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="5G service bot – web", docs_url=None, redoc_url=None)

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/config.json")
    def widget_config() -> dict[str, str]:
        """Where the widget finds Rasa's socket.io channel."""
        return {
            "socketUrl": settings.public_rasa_url,
            "socketPort": str(settings.rasa_port),
            "socketPath": "/socket.io",
        }

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
