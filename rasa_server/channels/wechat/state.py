"""State the WeChat channels share between requests, and between Rasa processes when
REDIS_URL is set: who runs a message's turn (de-duplication of the platform's retries),
the turn's passive reply for a retry, the numbered choices last offered to a user, the
user's language, and the access token.

`MemoryState` serves one process; `RedisState` (redis.asyncio, never blocking the loop)
serves several. Both have the same coroutine interface.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

PENDING = "pending"
OUTCOME = ":outcome"
MAX_MEMORY_ENTRIES = 50_000

RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


class MemoryState:
    """In-process state with expiry; correct for one Rasa process only."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[Any, float]] = {}
        self._changed: dict[str, asyncio.Event] = {}

    def _get(self, key: str) -> Any:
        entry = self._values.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires < time.monotonic():
            del self._values[key]
            return None
        return value

    def _set(self, key: str, value: Any, seconds: float) -> None:
        if len(self._values) > MAX_MEMORY_ENTRIES:
            now = time.monotonic()
            for stale in [k for k, (_, expires) in self._values.items() if expires < now]:
                del self._values[stale]
            for oldest in list(self._values)[: max(0, len(self._values) - MAX_MEMORY_ENTRIES)]:
                del self._values[oldest]
        self._values[key] = (value, time.monotonic() + seconds)
        if event := self._changed.pop(key, None):
            event.set()

    async def claim(self, key: str, seconds: int) -> bool:
        """True for the first caller with this key within `seconds`: it runs the turn."""
        if self._get(key) is not None:
            return False
        self._set(key, PENDING, seconds)
        return True

    async def settle(self, key: str, outcome: dict[str, Any], seconds: int) -> None:
        """What became of a claimed message, kept `seconds` (shorter than the claim) for the
        platform's retries: {"reply": text} (the passive reply) or {"reply": None}."""
        self._set(key + OUTCOME, outcome, seconds)

    async def outcome(self, key: str, timeout: float) -> dict[str, Any] | None:
        """Waits up to `timeout` for a claimed message's outcome; None if it is still pending."""
        deadline = time.monotonic() + timeout
        while True:
            value = self._get(key + OUTCOME)
            if isinstance(value, dict):
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._get(key) is None:
                return None
            event = self._changed.setdefault(key + OUTCOME, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                return None

    async def get(self, key: str) -> Any:
        return self._get(key)

    async def put(self, key: str, value: Any, seconds: int) -> None:
        self._set(key, value, seconds)

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def lock(self, key: str, seconds: float) -> str | None:
        if self._get(key) is not None:
            return None
        owner = uuid.uuid4().hex
        self._set(key, owner, seconds)
        return owner

    async def unlock(self, key: str, owner: str) -> None:
        if self._get(key) == owner:
            self._values.pop(key, None)

    async def close(self) -> None:
        return None


class RedisState:
    """The same state in Redis, shared by every Rasa process of the deployment."""

    def __init__(self, url: str, poll_seconds: float = 0.1) -> None:
        from redis import asyncio as aioredis

        self._client = aioredis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.poll_seconds = poll_seconds

    async def claim(self, key: str, seconds: int) -> bool:
        return bool(await self._client.set(key, json.dumps(PENDING), nx=True, ex=seconds))

    async def settle(self, key: str, outcome: dict[str, Any], seconds: int) -> None:
        await self._client.set(key + OUTCOME, json.dumps(outcome, ensure_ascii=False), ex=seconds)

    async def outcome(self, key: str, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while True:
            raw = await self._client.get(key + OUTCOME)
            if raw is not None:
                value = json.loads(raw)
                return value if isinstance(value, dict) else None
            if not await self._client.exists(key) or time.monotonic() + self.poll_seconds > deadline:
                return None
            await asyncio.sleep(self.poll_seconds)

    async def get(self, key: str) -> Any:
        raw = await self._client.get(key)
        return json.loads(raw) if raw is not None else None

    async def put(self, key: str, value: Any, seconds: int) -> None:
        await self._client.set(key, json.dumps(value, ensure_ascii=False), ex=max(1, int(seconds)))

    async def delete(self, key: str) -> None:
        await self._client.delete(key)

    async def lock(self, key: str, seconds: float) -> str | None:
        owner = uuid.uuid4().hex
        acquired = await self._client.set(key, owner, nx=True, px=int(seconds * 1000))
        return owner if acquired else None

    async def unlock(self, key: str, owner: str) -> None:
        await self._client.eval(RELEASE_LOCK, 1, key, owner)

    async def close(self) -> None:
        await self._client.close()


State = MemoryState | RedisState


def make_state(redis_url: str | None) -> State:
    return RedisState(redis_url) if redis_url else MemoryState()
