"""Managing desk users (supervisors)."""

from __future__ import annotations

from fastapi import APIRouter, status

from bot.desk import accounts
from bot.desk.api.deps import DeskDep, NowDep, SupervisorDep, UowDep
from bot.desk.api.schemas import UserChange, UserIn, UserOut

router = APIRouter(prefix="/users", tags=["users"], responses={403: {"description": "supervisors only"}})


@router.get("", response_model=list[UserOut])
def list_users(actor: SupervisorDep, uow: UowDep) -> list[UserOut]:
    return [UserOut.of(user) for user in accounts.list_users(uow, actor)]


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, actor: SupervisorDep, uow: UowDep, desk: DeskDep, now: NowDep) -> UserOut:
    """A new agent or supervisor; the password needs 10+ characters."""
    user = accounts.create_user(
        uow, desk.passwords, username=body.username, password=body.password, role=body.role, now=now, by=actor
    )
    return UserOut.of(user)


@router.patch("/{username}", response_model=UserOut)
def change_user(
    username: str, body: UserChange, actor: SupervisorDep, uow: UowDep, desk: DeskDep, now: NowDep
) -> UserOut:
    """Change a user's role, password or activity (deactivate instead of deleting); their tokens end."""
    user = accounts.update_user(
        uow, desk.passwords, username, by=actor, now=now, role=body.role, active=body.active, password=body.password
    )
    return UserOut.of(user)
