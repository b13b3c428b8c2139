"""Logging in (OAuth2 password form, so /api/docs can authorise too) and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from bot.desk import accounts
from bot.desk.api.deps import ActorDep, DeskDep, NowDep
from bot.desk.api.schemas import MeOut, TokenOut
from bot.desk.errors import InvalidCredentials

public = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/auth", tags=["auth"])


@public.post(
    "/login",
    response_model=TokenOut,
    responses={
        401: {"description": "incorrect username or password"},
        429: {"description": "too many failed log-ins for this user or address; see Retry-After"},
    },
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, desk: DeskDep, now: NowDep
) -> TokenOut:
    """A short-lived bearer token for a desk user (form fields `username`, `password`)."""
    address = request.client.host if request.client else "unknown"
    desk.login_throttle.check(form.username, address)
    try:
        user = accounts.authenticate(desk.uow(), desk.passwords, form.username, form.password, now)
    except InvalidCredentials:
        desk.login_throttle.failed(form.username, address)
        raise
    desk.login_throttle.succeeded(form.username, address)
    token = desk.tokens.issue(user)
    return TokenOut(access_token=token.token, expires_in=token.expires_in, username=user.username, role=user.role)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def logout(actor: ActorDep, desk: DeskDep, now: NowDep) -> Response:
    """Ends this user's tokens on the server (every session of theirs): a copied token stops working."""
    accounts.log_out(desk.uow(), actor.username, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=MeOut)
def me(actor: ActorDep) -> MeOut:
    return MeOut(username=actor.username, role=actor.role)
