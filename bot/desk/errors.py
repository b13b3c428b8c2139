"""Errors raised by the desk; the API turns them into HTTP statuses (complaint errors come from bot.complaints).

DeskError                 base of everything below
├── PermissionDenied      the user's role or assignment does not allow the step (403)
├── InvalidCredentials    unknown user, wrong password or inactive account, never saying which (401)
├── TooManyAttempts       too many failed log-ins; retry after the given seconds (429)
├── InvalidToken          missing, expired, forged or revoked access token (401)
├── UserExists            the username is taken (409)
├── UnknownUser           no desk user of that name (404)
├── WeakPassword          too short, a common or guessable password, or the username (422)
├── InvalidUsername       not 2-64 letters, digits or . _ @ - (422)
├── InvalidPeriod         a date range that is reversed, too long or out of range (422)
└── LastSupervisor        the change would leave the desk without an active supervisor (409)
"""

from __future__ import annotations


class DeskError(Exception):
    """Base class of every desk error."""


class PermissionDenied(DeskError):
    def __init__(self, action: str) -> None:
        super().__init__(f"not allowed to {action}")
        self.action = action


class InvalidCredentials(DeskError):
    def __init__(self) -> None:
        super().__init__("incorrect username or password")


class TooManyAttempts(DeskError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed log-ins; try again in {retry_after} seconds")
        self.retry_after = retry_after


class InvalidToken(DeskError):
    def __init__(self, reason: str = "invalid or expired access token") -> None:
        super().__init__(reason)


class UserExists(DeskError):
    def __init__(self, username: str) -> None:
        super().__init__(f"a desk user named {username!r} already exists")
        self.username = username


class UnknownUser(DeskError):
    def __init__(self, username: str) -> None:
        super().__init__(f"no desk user named {username!r}")
        self.username = username


class WeakPassword(DeskError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class InvalidUsername(DeskError):
    def __init__(self) -> None:
        super().__init__("a username has 2-64 characters: letters, digits, '.', '_', '@' or '-'")


class InvalidPeriod(DeskError):
    pass


class LastSupervisor(DeskError):
    def __init__(self, username: str) -> None:
        super().__init__(f"{username} is the last active supervisor; make another supervisor first")
        self.username = username
