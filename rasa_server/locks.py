"""An atomic Redis lock store for Rasa: one conversation's messages one at a time, in arrival order (Rasa server).

Rasa 3.6's RedisLockStore keeps a conversation's ticket queue as one JSON value and
changes it with GET, change, SET (rasa#9213): two replicas that receive a message of
the same conversation at the same moment can both read "no lock", both write a queue
holding only their own ticket, and both process the conversation at once. Its
waiters also poll every second, so a second message to a busy conversation waits at
least a second.

This store does every step as one Redis operation:

- arrival: a Lua script takes the next ticket (`INCR`) and queues it (a sorted set by
  ticket number) with a lease (a second sorted set, expiry in Redis's own clock, so the
  replicas' clocks do not matter);
- waiting: a waiter renews its ticket's lease (at most 10 s) on every check;
- acquisition: when a ticket is the oldest live one, a script removes it from the queue
  and takes the lock with one `SET key token NX PX lifetime`; the order of tickets is
  the order in which messages arrived at any replica;
- release: a compare-and-delete script removes the lock only if it still holds this
  holder's random token, so a holder whose lock expired never frees someone else's.

A holder renews its lock (compare-and-expire) every third of the lifetime while its
turn runs; a waiter renews its ticket on every poll, and withdraws it when it gives up
or its request is cancelled. A process that dies therefore blocks its conversation for
at most one lifetime (holding) or one waiter's lease (waiting, 10 s at most); after
that the lock expires and the next message goes on.

All keys of a conversation share a Redis Cluster hash tag (`{conversation id}`).

endpoints.yml:

    lock_store:
      type: rasa_server.locks.AtomicRedisLockStore
      url: 127.0.0.1          # host, as Rasa names it
      port: 6379
      db: 0
      password: ...           # optional
      key_prefix: g5care
      lock_lifetime: 60       # seconds a holder may hold without renewing (default TICKET_LOCK_LIFETIME or 60)
      poll_interval: 0.02     # seconds between a waiter's checks (Rasa's is 1)
      max_wait: 120           # a message that waited this long gets a LockError
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from redis import asyncio as aioredis

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 0.02
DEFAULT_KEY_PREFIX = "g5care"
WAITER_LEASE_MS = 10_000

# Lua's view of Redis's clock in milliseconds (one clock for all replicas).
NOW_MS = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
"""

# KEYS: counter, queue (ticket -> ticket), leases (ticket -> expiry ms). ARGV: lease ms.
# Takes the next ticket and queues it with its lease; returns it.
ISSUE = (
    NOW_MS
    + """
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('ZADD', KEYS[3], now_ms + tonumber(ARGV[1]), ticket)
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 2 * tonumber(ARGV[1])) end
return ticket
"""
)

# KEYS: counter, queue, leases, lock. ARGV: ticket, token, lock lifetime ms, lease ms.
# Drops lapsed tickets; the oldest live ticket takes the lock if it is free.
# Returns 1: acquired; 0: not this ticket's turn yet (its lease renewed); -1: the ticket lapsed.
ACQUIRE = (
    NOW_MS
    + """
for _, lapsed in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now_ms)) do
  redis.call('ZREM', KEYS[2], lapsed)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now_ms)
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return -1
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 2 * tonumber(ARGV[4])) end
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if head == ARGV[1] and redis.call('SET', KEYS[4], ARGV[2], 'NX', 'PX', ARGV[3]) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 1
end
redis.call('ZADD', KEYS[3], 'XX', now_ms + tonumber(ARGV[4]), ARGV[1])
return 0
"""
)

# KEYS: lock. ARGV: token, lifetime ms. Extends the lock only if this holder still has it.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: lock. ARGV: token. Deletes the lock only if this holder still has it.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: queue, leases. ARGV: ticket. A waiter that gives up leaves the queue.
WITHDRAW = "redis.call('ZREM', KEYS[2], ARGV[1]) return redis.call('ZREM', KEYS[1], ARGV[1])"


class AtomicRedisLockStore(LockStore):
    """Rasa's LockStore interface (`lock(conversation_id)`) over atomic Redis operations; see the module doc."""

    def __init__(self, endpoint_config: Any = None, **settings: Any) -> None:
        options = {**(getattr(endpoint_config, "kwargs", None) or {}), **settings}
        host = options.pop("host", None) or getattr(endpoint_config, "url", None) or "127.0.0.1"
        self.lifetime = float(options.pop("lock_lifetime", LOCK_LIFETIME))
        self.poll_interval = float(options.pop("poll_interval", DEFAULT_POLL_INTERVAL))
        self.max_wait = float(options.pop("max_wait", 2 * self.lifetime))
        prefix = str(options.pop("key_prefix", DEFAULT_KEY_PREFIX) or DEFAULT_KEY_PREFIX)
        if not prefix.isalnum():
            raise ValueError(f"key_prefix must be alphanumeric, not {prefix!r}")
        if self.lifetime <= 0 or self.poll_interval <= 0 or self.max_wait <= 0:
            raise ValueError("lock_lifetime, poll_interval and max_wait must be positive")
        self.prefix = f"{prefix}:atomiclock:"
        self._redis_options = {
            "host": host,
            "port": int(options.pop("port", 6379)),
            "db": int(options.pop("db", 0)),
            "username": options.pop("username", None),
            "password": options.pop("password", None),
            "ssl": bool(options.pop("use_ssl", False)),
            "socket_timeout": float(options.pop("socket_timeout", 10)),
            "socket_connect_timeout": float(options.pop("socket_timeout_connect", 5)),
        }
        if options:
            logger.warning("AtomicRedisLockStore ignores unknown settings: %s", ", ".join(sorted(options)))
        self._clients: dict[asyncio.AbstractEventLoop, aioredis.Redis] = {}
        super().__init__()

    # -- the interface Rasa uses -------------------------------------------------------------

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float | None = None,
    ) -> AsyncIterator[TicketLock]:
        """Holds the conversation's lock for the block; waits its turn behind earlier messages.

        Rasa passes its own lifetime (TICKET_LOCK_LIFETIME) and 1 s wait; this store uses its
        configured lifetime and poll interval so that one endpoints.yml governs both.
        """
        del lock_lifetime, wait_time_in_seconds
        keys = self._keys(conversation_id)
        token = secrets.token_hex(16)
        await self._wait_turn(conversation_id, keys, token)
        renewer = asyncio.create_task(self._renew_while_held(conversation_id, keys["lock"], token))
        try:
            yield TicketLock(conversation_id)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            await self._release(conversation_id, keys["lock"], token)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """Not kept as one value here (that is the race this store removes); nothing to return."""
        return None

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("AtomicRedisLockStore issues tickets atomically; use lock()")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("AtomicRedisLockStore releases only its own lock; use lock()")

    # -- the steps ---------------------------------------------------------------------------

    def _keys(self, conversation_id: str) -> dict[str, str]:
        base = f"{self.prefix}{{{conversation_id}}}"
        return {
            "counter": f"{base}:tickets",
            "queue": f"{base}:queue",
            "leases": f"{base}:leases",
            "lock": f"{base}:holder",
        }

    def _redis(self) -> aioredis.Redis:
        # One client per event loop: an asyncio connection belongs to the loop that opened it.
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = aioredis.Redis(**self._redis_options)
            self._clients[loop] = client
        return client

    @property
    def _lease_ms(self) -> int:
        return max(int(self.lifetime * 1000), 1)

    @property
    def _waiter_lease_ms(self) -> int:
        # A waiter renews its place on every poll; one that died frees it within this time.
        return min(self._lease_ms, WAITER_LEASE_MS)

    async def _issue(self, keys: dict[str, str]) -> int:
        try:
            queue = (keys["counter"], keys["queue"], keys["leases"])
            return int(await self._redis().eval(ISSUE, 3, *queue, self._waiter_lease_ms))
        except aioredis.RedisError as error:
            raise LockError(f"Could not take a ticket from the lock store: {error}") from error

    async def _wait_turn(self, conversation_id: str, keys: dict[str, str], token: str) -> None:
        """Takes a ticket and waits until it is first and the lock is free; then holds the lock."""
        deadline = time.monotonic() + self.max_wait
        ticket = await self._issue(keys)
        try:
            while True:
                args = (ticket, token, self._lease_ms, self._waiter_lease_ms)
                try:
                    state = int(await self._redis().eval(ACQUIRE, 4, *keys.values(), *args))
                except aioredis.RedisError as error:
                    raise LockError(f"Lock store unreachable for conversation '{conversation_id}': {error}") from error
                if state == 1:
                    return
                if state == -1:
                    # This process was too busy to renew its place in time: queue again rather than drop the message.
                    logger.warning(
                        "conversation '%s': ticket %s lapsed while waiting; queued again", conversation_id, ticket
                    )
                    ticket = await self._issue(keys)
                    continue
                if time.monotonic() > deadline:
                    raise LockError(f"Waited more than {self.max_wait:.0f} s for conversation '{conversation_id}'")
                await asyncio.sleep(self.poll_interval)
        except BaseException:
            # Gave up, failed or cancelled (the request went away): leave the queue at once, so
            # that the messages behind this one do not wait for its lease to lapse.
            await asyncio.shield(self._withdraw(keys, ticket))
            raise

    async def _withdraw(self, keys: dict[str, str], ticket: int) -> None:
        with contextlib.suppress(aioredis.RedisError):
            await self._redis().eval(WITHDRAW, 2, keys["queue"], keys["leases"], ticket)

    async def _renew_while_held(self, conversation_id: str, lock_key: str, token: str) -> None:
        while True:
            await asyncio.sleep(self.lifetime / 3)
            try:
                renewed = await self._redis().eval(RENEW, 1, lock_key, token, self._lease_ms)
            except aioredis.RedisError as error:
                logger.warning("could not renew the lock of conversation '%s': %s", conversation_id, error)
                continue
            if not renewed:
                logger.error("conversation '%s': lock expired while its turn was still running", conversation_id)
                return

    async def _release(self, conversation_id: str, lock_key: str, token: str) -> None:
        try:
            released = await self._redis().eval(RELEASE, 1, lock_key, token)
        except aioredis.RedisError as error:
            logger.warning("could not release the lock of '%s' (it expires by itself): %s", conversation_id, error)
            return
        if not released:
            logger.error("conversation '%s': lock had expired before its turn ended", conversation_id)
