"""Who may do what at the desk: agents work their own complaints, supervisors run the service.

anyone logged in   list, read, claim an open complaint
assigned agent     notes (internal or to the user), resolve, see the full phone number
supervisor         all of the above on any complaint, reassign, close, reopen,
                   statistics, CSV export, user management
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.complaints.model import Complaint
from bot.desk.errors import PermissionDenied


class Role(str, Enum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Actor:
    """The authenticated desk user on whose behalf a service runs; `username` goes into the audit trail."""

    username: str
    role: Role

    @property
    def is_supervisor(self) -> bool:
        return self.role is Role.SUPERVISOR


def require_supervisor(actor: Actor, action: str) -> None:
    if not actor.is_supervisor:
        raise PermissionDenied(action)


def handles(actor: Actor, complaint: Complaint) -> bool:
    """The complaint's assigned agent, or any supervisor."""
    return actor.is_supervisor or complaint.assigned_agent == actor.username


def require_handler(actor: Actor, complaint: Complaint, action: str) -> None:
    if not handles(actor, complaint):
        raise PermissionDenied(f"{action} complaint {complaint.ticket}, which is not assigned to you")


def may_see_contact(actor: Actor, complaint: Complaint) -> bool:
    """The full phone number is personal data: only whoever handles the complaint sees it (and it is audited)."""
    return handles(actor, complaint)
