"""Domain and desk errors to HTTP statuses, with a stable `code` next to FastAPI's usual `detail`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from bot.complaints.errors import (
    AlreadyClaimed,
    ComplaintError,
    ComplaintNotFound,
    ConcurrentUpdate,
    InvalidTransition,
    StoreUnavailable,
    UnknownCategory,
)
from bot.desk.errors import (
    DeskError,
    InvalidCredentials,
    InvalidPeriod,
    InvalidToken,
    InvalidUsername,
    LastSupervisor,
    PermissionDenied,
    TooManyAttempts,
    UnknownUser,
    UserExists,
    WeakPassword,
)

log = logging.getLogger(__name__)

STATUSES: dict[type[Exception], tuple[int, str]] = {
    ComplaintNotFound: (404, "complaint_not_found"),
    AlreadyClaimed: (409, "already_claimed"),
    InvalidTransition: (409, "invalid_transition"),
    ConcurrentUpdate: (409, "concurrent_update"),
    UnknownCategory: (422, "unknown_category"),
    StoreUnavailable: (503, "store_unavailable"),
    PermissionDenied: (403, "forbidden"),
    InvalidCredentials: (401, "invalid_credentials"),
    InvalidToken: (401, "not_authenticated"),
    TooManyAttempts: (429, "too_many_attempts"),
    UserExists: (409, "user_exists"),
    UnknownUser: (404, "unknown_user"),
    WeakPassword: (422, "weak_password"),
    InvalidUsername: (422, "invalid_username"),
    InvalidPeriod: (422, "invalid_period"),
    LastSupervisor: (409, "last_supervisor"),
}


def _status(error: Exception) -> tuple[int, str]:
    for kind in type(error).__mro__:
        if kind in STATUSES:
            return STATUSES[kind]
    return 500, "internal_error"


async def _handle(request: Request, error: Exception) -> JSONResponse:
    status, code = _status(error)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    return JSONResponse({"detail": str(error), "code": code}, status_code=status, headers=headers)


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 without echoing the input: what was sent may hold a lone surrogate (which cannot be
    encoded, turning the 422 into a 500), a password or a whole phone number."""
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    kept = ("type", "loc", "msg")
    shown = [{key: _printable(value) for key, value in item.items() if key in kept} for item in errors]
    return JSONResponse({"detail": jsonable_encoder(shown), "code": "invalid_request"}, status_code=422)


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, (list, tuple)):
        return [_printable(item) for item in value]
    return value


async def _refused_by_database(request: Request, error: Exception) -> JSONResponse:
    """A value the database refuses (a NUL byte, a number out of its range) that got past the checks: the
    request's fault, so 422, logged to find the check that is missing."""
    log.warning("%s %s: value refused by the database (%s)", request.method, request.url.path, type(error).__name__)
    return JSONResponse({"detail": "a value in the request cannot be stored or searched", "code": "invalid_value"}, 422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ComplaintError, _handle)
    app.add_exception_handler(DeskError, _handle)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(sa_exc.DataError, _refused_by_database)
