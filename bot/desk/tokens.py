"""Short-lived access tokens for desk users: JWT signed with HS256 with the desk's secret key.

A token names the user and the user's token_version; the API loads the user on every
request, so a deactivated user, a new password or a new role ends older tokens at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from bot.desk.errors import InvalidToken
from bot.desk.users import User

ALGORITHM = "HS256"
AUDIENCE = "g5care-desk"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int  # seconds


@dataclass(frozen=True)
class TokenClaims:
    username: str
    token_version: int


class Tokens:
    def __init__(self, secret: str, minutes: int = 15, clock: Callable[[], datetime] = utc_now) -> None:
        if len(secret) < 32:
            raise ValueError("the desk's token key needs at least 32 characters")
        self._secret = secret
        self.lifetime = timedelta(minutes=minutes)
        self.clock = clock

    def issue(self, user: User) -> AccessToken:
        now = self.clock()
        claims = {
            "sub": user.username,
            "ver": user.token_version,
            "role": user.role.value,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + self.lifetime,
        }
        return AccessToken(jwt.encode(claims, self._secret, algorithm=ALGORITHM), int(self.lifetime.total_seconds()))

    def read(self, token: str) -> TokenClaims:
        """The claims of a valid, unexpired token signed with our key; InvalidToken otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={"require": ["sub", "ver", "exp", "iat", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the access token has expired; log in again") from error
        except jwt.InvalidTokenError as error:
            raise InvalidToken() from error
        if not isinstance(claims["sub"], str) or not isinstance(claims["ver"], int):
            raise InvalidToken()
        return TokenClaims(username=claims["sub"], token_version=claims["ver"])
