"""Request dependencies: the desk, the clock, and the authenticated user (401) with role checks (403)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from bot.desk import accounts
from bot.desk.bootstrap import Desk
from bot.desk.errors import InvalidCredentials, InvalidToken
from bot.desk.permissions import Actor, require_supervisor
from bot.desk.unit_of_work import DeskUnitOfWork
from bot.desk.users import User

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/login", auto_error=False)


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def get_uow(desk: DeskDep) -> DeskUnitOfWork:
    return desk.uow()


def get_now(desk: DeskDep) -> datetime:
    return desk.clock()


def current_user(desk: DeskDep, token: Annotated[str | None, Depends(bearer)]) -> User:
    if not token:
        raise InvalidToken("not authenticated")
    claims = desk.tokens.read(token)
    try:
        return accounts.user_for_token(desk.uow(), claims.username, claims.token_version)
    except InvalidCredentials as error:
        raise InvalidToken("the access token is no longer valid; log in again") from error


def current_actor(user: Annotated[User, Depends(current_user)]) -> Actor:
    return user.actor


def supervisor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    require_supervisor(actor, "use supervisor functions")
    return actor


UowDep = Annotated[DeskUnitOfWork, Depends(get_uow)]
NowDep = Annotated[datetime, Depends(get_now)]
ActorDep = Annotated[Actor, Depends(current_actor)]
SupervisorDep = Annotated[Actor, Depends(supervisor)]
