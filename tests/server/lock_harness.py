"""Child processes for the lock store tests: each plays one Rasa replica taking conversations' locks.

Every step is recorded in Redis with a logical clock (INCR), so the order of events across
processes is exact, not read from two processes' wall clocks. A "turn" under the lock does
what a turn does to a tracker: read the conversation's state, work, write it back.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from multiprocessing.synchronize import Barrier
from typing import Any

from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from redis import asyncio as aioredis

from rasa_server.locks import AtomicRedisLockStore

REDIS = {"host": "127.0.0.1", "port": 6379, "db": 0}
LIFETIME = 2.0
# A message still waiting this long after its turn could have come is counted as stuck.
STUCK_AFTER = 3 * LIFETIME


def make_store(kind: str, prefix: str) -> LockStore:
    if kind == "rasa":
        return RedisLockStore(key_prefix=prefix, **REDIS)
    return AtomicRedisLockStore(key_prefix=prefix, lock_lifetime=LIFETIME, poll_interval=0.01, **REDIS)


class Recorder:
    """Appends (step, process, conversation, message) to a Redis list in logical-clock order."""

    def __init__(self, client: aioredis.Redis, prefix: str, process: str) -> None:
        self.client = client
        self.prefix = prefix
        self.process = process

    async def note(self, step: str, conversation: str, message: int = -1) -> None:
        tick = await self.client.incr(f"{self.prefix}:clock")
        entry = {"tick": tick, "step": step, "process": self.process, "conversation": conversation}
        await self.client.rpush(f"{self.prefix}:log", json.dumps({**entry, "message": message}))

    async def turn(self, conversation: str, message: int, hold: float) -> None:
        """Read-modify-write of the conversation's counter, as a turn reads and saves its tracker."""
        await self.note("enter", conversation, message)
        key = f"{self.prefix}:state:{conversation}"
        seen = int(await self.client.get(key) or 0)
        await asyncio.sleep(hold)
        await self.client.set(key, seen + 1)
        await self.note("exit", conversation, message)


async def _same_moment(kind: str, prefix: str, process: str, barrier: Barrier, rounds: int, width: int) -> None:
    store = make_store(kind, prefix)
    client = aioredis.Redis(**REDIS)
    recorder = Recorder(client, prefix, process)

    async def attempt(conversation: str) -> None:
        async with store.lock(conversation, lock_lifetime=LIFETIME, wait_time_in_seconds=0.01):
            await recorder.turn(conversation, 0, hold=0.02)

    async def one(conversation: str) -> None:
        try:
            await asyncio.wait_for(attempt(conversation), STUCK_AFTER)
        except LockError:
            # Rasa's store gives up when the lock it waits for vanished under it: the message is dropped.
            await recorder.note("lock_error", conversation)
        except asyncio.TimeoutError:
            # Or it waits for a ticket that a concurrent write erased: without a limit, for ever.
            await recorder.note("stuck", conversation)

    for round_ in range(rounds):
        await asyncio.to_thread(barrier.wait, 60)
        await asyncio.gather(*(one(f"r{round_}c{i}") for i in range(width)))
    await client.close()


def same_moment(kind: str, prefix: str, process: str, barrier: Barrier, rounds: int, width: int) -> None:
    """Rounds of `width` conversations, each entered by both processes at the same moment (a barrier)."""
    asyncio.run(_same_moment(kind, prefix, process, barrier, rounds, width))


async def _in_turns(kind: str, prefix: str, process: str, start_at: float, slots: list[int], gap: float) -> None:
    store = make_store(kind, prefix)
    client = aioredis.Redis(**REDIS)
    recorder = Recorder(client, prefix, process)

    async def message(number: int) -> None:
        await asyncio.sleep(max(0.0, start_at + number * gap - time.time()))
        await recorder.note("arrive", "ordered", number)
        async with store.lock("ordered", lock_lifetime=LIFETIME, wait_time_in_seconds=0.01):
            await recorder.turn("ordered", number, hold=2.5 * gap)

    await asyncio.gather(*(message(number) for number in slots))
    await client.close()


def in_turns(kind: str, prefix: str, process: str, start_at: float, slots: list[int], gap: float) -> None:
    """Messages of one conversation arriving at this process at start_at + n * gap, for each n in slots."""
    asyncio.run(_in_turns(kind, prefix, process, start_at, slots, gap))


async def _hold_forever(prefix: str, conversation: str, ready: Any) -> None:
    store = make_store("atomic", prefix)
    async with store.lock(conversation):
        ready.set()
        await asyncio.sleep(3600)


def hold_forever(prefix: str, conversation: str, ready: Any) -> None:
    """Takes the conversation's lock, says so, and holds it until killed."""
    asyncio.run(_hold_forever(prefix, conversation, ready))


async def _wait_forever(prefix: str, conversation: str, ready: Any) -> None:
    store = make_store("atomic", prefix)
    assert isinstance(store, AtomicRedisLockStore)
    ticket = await store._issue(store._keys(conversation))
    ready.set()
    # A waiter that dies before its turn: the ticket stays queued until its lease runs out.
    del ticket
    os.kill(os.getpid(), signal.SIGKILL)


def wait_then_die(prefix: str, conversation: str, ready: Any) -> None:
    """Queues behind the conversation's holder, then dies (SIGKILL) without withdrawing."""
    asyncio.run(_wait_forever(prefix, conversation, ready))
