"""Two processes (two Rasa replicas) take the same conversations' locks through Redis at the same moment.

Rasa's RedisLockStore reads, changes and writes its ticket queue in three steps (rasa#9213):
both processes can find the conversation free and run their turns together. The project's
store (rasa_server/locks.py) takes tickets and the lock in single operations. The same harness
(tests/server/lock_harness.py) drives both; every interleaving is recorded, none retried away.

Needs Redis on 127.0.0.1:6379 (db 0; keys under a random prefix, removed afterwards).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_server.locks import RELEASE, AtomicRedisLockStore
from tests.server import lock_harness
from tests.server.lock_harness import REDIS

pytestmark = pytest.mark.replicas

ROUNDS, WIDTH = 12, 20
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def prefix() -> Iterator[str]:
    """A fresh alphanumeric key prefix; its keys are deleted after the test."""
    name = "locktest" + uuid.uuid4().hex[:10]
    client = redis.Redis(**REDIS)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    yield name
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


def run_two(target: Any, *per_process: tuple[Any, ...], timeout: float = 120) -> None:
    processes = [SPAWN.Process(target=target, args=args, daemon=True) for args in per_process]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    try:
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            assert process.exitcode == 0, f"{process.name} ended with {process.exitcode}"
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()


def read_log(prefix: str) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in redis.Redis(**REDIS).lrange(f"{prefix}:log", 0, -1)]


def overlapping_turns(log: list[dict[str, Any]]) -> list[str]:
    """Conversations in which a turn entered while another turn of the same conversation was inside."""
    inside: dict[str, int] = defaultdict(int)
    overlapped = set()
    for entry in sorted(log, key=lambda e: e["tick"]):
        if entry["step"] == "enter":
            inside[entry["conversation"]] += 1
            if inside[entry["conversation"]] > 1:
                overlapped.add(entry["conversation"])
        elif entry["step"] == "exit":
            inside[entry["conversation"]] -= 1
    return sorted(overlapped)


def lost_updates(prefix: str, conversations: list[str], turns_each: int) -> int:
    client = redis.Redis(**REDIS)
    return sum(turns_each - int(client.get(f"{prefix}:state:{c}") or 0) for c in conversations)


def count(log: list[dict[str, Any]], step: str) -> int:
    return sum(entry["step"] == step for entry in log)


def same_moment_run(kind: str, prefix: str) -> tuple[list[str], int, int, int]:
    barrier = SPAWN.Barrier(2)
    run_two(
        lock_harness.same_moment,
        (kind, prefix, "replica-a", barrier, ROUNDS, WIDTH),
        (kind, prefix, "replica-b", barrier, ROUNDS, WIDTH),
    )
    conversations = [f"r{r}c{i}" for r in range(ROUNDS) for i in range(WIDTH)]
    log = read_log(prefix)
    return overlapping_turns(log), lost_updates(prefix, conversations, 2), count(log, "lock_error"), count(log, "stuck")


def test_rasas_redis_lock_store_lets_two_replicas_run_one_conversation_at_once(prefix: str) -> None:
    overlapped, lost, dropped, stuck = same_moment_run("rasa", prefix)
    print(
        f"\nRasa's RedisLockStore: {len(overlapped)} of {ROUNDS * WIDTH} conversations ran two turns at once; "
        f"{lost} of {2 * ROUNDS * WIDTH} turns' writes lost (overwritten, dropped or stuck); "
        f"{dropped} LockErrors; {stuck} messages still waiting after {lock_harness.STUCK_AFTER:.0f} s"
    )
    assert overlapped, "no interleaving recorded in this run"
    assert lost > 0


def test_the_atomic_store_never_lets_two_replicas_run_one_conversation_at_once(prefix: str) -> None:
    overlapped, lost, dropped, stuck = same_moment_run("atomic", prefix)
    assert overlapped == []
    assert lost == 0
    assert (dropped, stuck) == (0, 0)


def test_one_conversations_messages_alternating_between_replicas_are_processed_in_arrival_order(prefix: str) -> None:
    start_at = time.time() + 3.0  # both processes are up by then (spawn + imports)
    run_two(
        lock_harness.in_turns,
        ("atomic", prefix, "replica-a", start_at, [0, 2, 4, 6, 8, 10], 0.08),
        ("atomic", prefix, "replica-b", start_at, [1, 3, 5, 7, 9, 11], 0.08),
    )
    log = sorted(read_log(prefix), key=lambda e: e["tick"])
    arrived = [e["message"] for e in log if e["step"] == "arrive"]
    processed = [e["message"] for e in log if e["step"] == "enter"]
    assert sorted(arrived) == list(range(12))
    assert processed == arrived
    assert overlapping_turns(log) == []
    assert lost_updates(prefix, ["ordered"], 12) == 0


def test_a_lock_left_by_a_killed_replica_expires_and_the_conversation_goes_on(prefix: str) -> None:
    ready = SPAWN.Event()
    holder = SPAWN.Process(target=lock_harness.hold_forever, args=(prefix, "crashed", ready))
    holder.start()
    assert ready.wait(60)
    holder.kill()
    holder.join()
    killed_at = time.monotonic()

    async def next_turn() -> float:
        store = lock_harness.make_store("atomic", prefix)
        async with store.lock("crashed"):
            return time.monotonic() - killed_at

    waited = asyncio.run(next_turn())
    # The dead holder's lock still blocked the conversation, then expired within its lifetime.
    assert 0.5 < waited < lock_harness.LIFETIME + 1.0


def test_a_replica_killed_while_waiting_holds_up_the_conversation_only_until_its_ticket_lapses(prefix: str) -> None:
    store = lock_harness.make_store("atomic", prefix)
    ready = SPAWN.Event()

    async def scenario() -> float:
        async with store.lock("waiter-died"):
            waiter = SPAWN.Process(target=lock_harness.wait_then_die, args=(prefix, "waiter-died", ready))
            waiter.start()
            await asyncio.to_thread(ready.wait, 60)
            await asyncio.to_thread(waiter.join)
            released_at = time.monotonic()
        async with store.lock("waiter-died"):
            return time.monotonic() - released_at

    waited = asyncio.run(scenario())
    assert waited < lock_harness.LIFETIME + 1.0


def test_releasing_never_frees_a_lock_another_holder_took_after_expiry(prefix: str) -> None:
    client = redis.Redis(**REDIS)
    key = f"{prefix}:holder"
    client.set(key, "new-holder-token", px=5000)
    assert client.eval(RELEASE, 1, key, "old-holder-token") == 0
    assert client.get(key) == b"new-holder-token"
    assert client.eval(RELEASE, 1, key, "new-holder-token") == 1
    assert client.get(key) is None


def test_a_turn_longer_than_the_lifetime_keeps_its_lock(prefix: str) -> None:
    store = AtomicRedisLockStore(key_prefix=prefix, lock_lifetime=0.6, poll_interval=0.01, **REDIS)
    other = AtomicRedisLockStore(key_prefix=prefix, lock_lifetime=0.6, poll_interval=0.01, max_wait=1.0, **REDIS)

    async def scenario() -> None:
        async with store.lock("long-turn"):
            await asyncio.sleep(1.5)  # 2.5 lifetimes: renewed, not expired
            with pytest.raises(LockError):
                async with other.lock("long-turn"):
                    pass

    asyncio.run(scenario())


def test_a_message_that_waited_too_long_gets_a_lock_error_and_leaves_the_queue(prefix: str) -> None:
    holder = AtomicRedisLockStore(key_prefix=prefix, lock_lifetime=5, **REDIS)
    impatient = AtomicRedisLockStore(key_prefix=prefix, lock_lifetime=5, max_wait=0.3, **REDIS)

    async def scenario() -> None:
        async with holder.lock("busy"):
            with pytest.raises(LockError, match="Waited more than"):
                async with impatient.lock("busy"):
                    pass
        # The impatient ticket withdrew: the next message is not held up by it.
        started = time.monotonic()
        async with holder.lock("busy"):
            assert time.monotonic() - started < 0.5

    asyncio.run(scenario())


def test_a_message_whose_request_is_cancelled_while_waiting_leaves_the_queue_at_once(prefix: str) -> None:
    store = AtomicRedisLockStore(key_prefix=prefix, lock_lifetime=30, **REDIS)

    async def scenario() -> float:
        async def wait_behind() -> None:
            async with store.lock("cancelled"):
                pass

        async with store.lock("cancelled"):
            waiter = asyncio.create_task(wait_behind())
            await asyncio.sleep(0.2)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
        started = time.monotonic()
        async with store.lock("cancelled"):  # not held up by the cancelled ticket's 10 s lease
            return time.monotonic() - started

    assert asyncio.run(scenario()) < 0.5


def test_an_unreachable_redis_gives_rasa_a_lock_error_not_a_hang() -> None:
    store = AtomicRedisLockStore(host="127.0.0.1", port=1, socket_timeout=1, socket_timeout_connect=1)

    async def scenario() -> None:
        with pytest.raises(LockError, match="ticket"):
            async with store.lock("anyone"):
                pass

    asyncio.run(scenario())


def test_endpoints_yml_selects_the_store_by_module_path_with_its_settings() -> None:
    config = EndpointConfig(
        type="rasa_server.locks.AtomicRedisLockStore",
        url="cache.internal",
        port=6380,
        db=2,
        key_prefix="g5care",
        lock_lifetime=20,
        poll_interval=0.05,
        password="pw",
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert (store.lifetime, store.poll_interval, store.max_wait) == (20.0, 0.05, 40.0)
    assert store._redis_options["host"] == "cache.internal"
    assert (store._redis_options["port"], store._redis_options["db"]) == (6380, 2)


def test_a_key_prefix_that_is_not_alphanumeric_is_refused() -> None:
    with pytest.raises(ValueError, match="alphanumeric"):
        AtomicRedisLockStore(key_prefix="g5:care")
