"""Errors raised by the complaints package; the edges (actions, desk API) translate them.

    ComplaintError              base of everything below
    ├── ComplaintNotFound       no complaint has that ticket number
    ├── InvalidTransition       the lifecycle forbids that step from the current status
    ├── AlreadyClaimed          another agent claimed the complaint first
    ├── ConcurrentUpdate        the complaint changed since it was read; reload and retry
    ├── InvalidPhone            not a mainland mobile number; `.reason` says why
    ├── UnknownCategory         a category key outside the fixed tree
    ├── ConsentRequired         no recorded consent to store the user's personal data
    ├── StoreUnavailable        the database is unreachable or timed out; safe to spool and retry
    └── DuplicateComplaint      (store-internal) the ticket or idempotency key is taken;
                                services resolve it and never let it escape

Messages never contain a full phone number or SQL parameters, so they are safe to log.
"""

from __future__ import annotations

from typing import Literal

PhoneProblem = Literal["wrong_length", "bad_prefix", "not_digits"]


class ComplaintError(Exception):
    """Base class of every complaint-domain error."""


class ComplaintNotFound(ComplaintError):
    def __init__(self, ticket: str) -> None:
        super().__init__(f"no complaint with ticket {ticket}")
        self.ticket = ticket


class InvalidTransition(ComplaintError):
    def __init__(self, ticket: str, current: str, wanted: str) -> None:
        super().__init__(f"complaint {ticket} cannot go from {current} to {wanted}")
        self.ticket, self.current, self.wanted = ticket, current, wanted


class AlreadyClaimed(ComplaintError):
    def __init__(self, ticket: str) -> None:
        super().__init__(f"complaint {ticket} is already claimed by another agent")
        self.ticket = ticket


class ConcurrentUpdate(ComplaintError):
    def __init__(self, ticket: str) -> None:
        super().__init__(f"complaint {ticket} was changed by someone else; reload it and try again")
        self.ticket = ticket


class InvalidPhone(ComplaintError):
    """The text is not a mainland China mobile number; `reason` is a stable code for the edges."""

    def __init__(self, reason: PhoneProblem) -> None:
        super().__init__(f"not a mainland mobile number: {reason}")
        self.reason: PhoneProblem = reason


class UnknownCategory(ComplaintError):
    def __init__(self, key: str) -> None:
        super().__init__(f"unknown complaint category {key!r}")
        self.key = key


class ConsentRequired(ComplaintError):
    def __init__(self) -> None:
        super().__init__("the user has not consented to storing the complaint's personal data")


class StoreUnavailable(ComplaintError):
    """The database could not be reached or answered too late; nothing was stored."""


class DuplicateComplaint(ComplaintError):
    """A repository could not insert because the ticket or the idempotency key already exists."""
