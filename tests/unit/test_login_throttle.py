"""The desk's login throttle (bot/desk/throttle.py) on the `limits` library's in-memory moving windows."""

import pytest

from bot.desk.errors import TooManyAttempts
from bot.desk.throttle import ACCOUNT_FACTOR, ADDRESS_FACTOR, LoginThrottle


def fail(throttle: LoginThrottle, times: int, username: str = "alice", address: str = "10.0.0.1") -> None:
    for _ in range(times):
        throttle.check(username, address)
        throttle.failed(username, address)


def test_a_username_from_one_address_is_refused_after_the_allowed_failures_for_the_window():
    throttle = LoginThrottle(max_failures=3, window_minutes=15)
    fail(throttle, 3)
    with pytest.raises(TooManyAttempts) as refused:
        throttle.check("alice", "10.0.0.1")
    assert 1 <= refused.value.retry_after <= 15 * 60
    # Spelling the name differently does not buy more guesses.
    with pytest.raises(TooManyAttempts):
        throttle.check(" ALICE ", "10.0.0.1")
    # Another user on the same address, and the same user elsewhere, are not held up.
    throttle.check("bob", "10.0.0.1")
    throttle.check("alice", "10.0.0.2")


def test_a_successful_login_clears_that_address_s_count_for_the_user():
    throttle = LoginThrottle(max_failures=3)
    fail(throttle, 2)
    throttle.succeeded("alice", "10.0.0.1")
    fail(throttle, 3)
    with pytest.raises(TooManyAttempts):
        throttle.check("alice", "10.0.0.1")


def test_guessing_one_account_from_many_addresses_is_limited_too():
    throttle = LoginThrottle(max_failures=2)
    for n in range(ACCOUNT_FACTOR):
        fail(throttle, 2, address=f"10.0.1.{n}")
    with pytest.raises(TooManyAttempts):
        throttle.check("alice", "10.0.9.9")
    throttle.check("bob", "10.0.9.9")


def test_spraying_many_usernames_from_one_address_is_limited_too():
    throttle = LoginThrottle(max_failures=2)
    for n in range(ADDRESS_FACTOR):
        fail(throttle, 2, username=f"user{n}")
    with pytest.raises(TooManyAttempts):
        throttle.check("someone-new", "10.0.0.1")
    throttle.check("someone-new", "10.0.0.2")
