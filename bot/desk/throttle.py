"""Slows password guessing on the desk's login: failed attempts are counted in moving windows.

Three limits, each over the same window (DESK_LOGIN_WINDOW_MINUTES, default 15):
- one username from one client address: DESK_LOGIN_MAX_FAILURES (default 5) failures;
- one username from any address: 4x that, against guessing spread over many addresses;
- one client address for any username: 10x that, against spraying one password over many
  usernames.

A request over any limit is refused before the password is checked (429 with Retry-After),
so a refused attempt costs no password hash. A successful login clears that username's
counters from that address; the wider counters run out with their window, so an attacker
can at worst keep one account's log-ins from new addresses waiting for a window, never
lock out an agent who is already logged in.

The counters use the `limits` library's moving-window strategy in this process's memory:
with several web processes each keeps its own, so the limits are per process.
"""

from __future__ import annotations

import math
import time
import unicodedata
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.desk.errors import TooManyAttempts

ACCOUNT_FACTOR = 4
ADDRESS_FACTOR = 10


@dataclass(frozen=True)
class _Limit:
    item: RateLimitItemPerMinute
    keys: tuple[str, ...]  # which of (username, address) identify the counter


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window_minutes: int = 15) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limits = (
            _Limit(RateLimitItemPerMinute(max_failures, window_minutes, namespace="login-user-address"),
                   ("username", "address")),
            _Limit(RateLimitItemPerMinute(max_failures * ACCOUNT_FACTOR, window_minutes, namespace="login-user"),
                   ("username",)),
            _Limit(RateLimitItemPerMinute(max_failures * ADDRESS_FACTOR, window_minutes, namespace="login-address"),
                   ("address",)),
        )  # fmt: skip

    @staticmethod
    def _identifiers(limit: _Limit, username: str, address: str) -> list[str]:
        values = {"username": unicodedata.normalize("NFKC", username).strip().casefold(), "address": address}
        return [values[key] for key in limit.keys]

    def check(self, username: str, address: str) -> None:
        """Raises TooManyAttempts (with the seconds to wait) when any limit is used up."""
        waits = []
        for limit in self._limits:
            identifiers = self._identifiers(limit, username, address)
            if not self._limiter.test(limit.item, *identifiers):
                reset = self._limiter.get_window_stats(limit.item, *identifiers).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        if waits:
            raise TooManyAttempts(max(waits))

    def failed(self, username: str, address: str) -> None:
        for limit in self._limits:
            self._limiter.hit(limit.item, *self._identifiers(limit, username, address))

    def succeeded(self, username: str, address: str) -> None:
        first = self._limits[0]
        self._limiter.clear(first.item, *self._identifiers(first, username, address))
