"""The desk's REST API under /api: routers that turn HTTP into desk service calls, and errors into statuses."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from bot.desk.api import auth, complaints, live, reports, users
from bot.desk.api.deps import current_actor


def api_router() -> APIRouter:
    """Every route needs a valid access token, except logging in."""
    router = APIRouter(prefix="/api")
    router.include_router(auth.public)
    protected = APIRouter(dependencies=[Depends(current_actor)])
    protected.include_router(auth.router)
    protected.include_router(reports.router)  # before complaints: /complaints/export.csv is not a ticket
    protected.include_router(complaints.router)
    protected.include_router(users.router)
    protected.include_router(live.router)
    router.include_router(protected)
    return router
