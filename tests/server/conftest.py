"""Fixtures shared by the server environment's channel tests."""

from collections.abc import Iterator

import pytest

from tests.wechat_sim import FakePlatformAPI


@pytest.fixture
def anyio_backend() -> str:
    """The channel tests run on asyncio, as Sanic does."""
    return "asyncio"


@pytest.fixture
def api() -> Iterator[FakePlatformAPI]:
    """The WeChat platform's API, faked on 127.0.0.1."""
    with FakePlatformAPI() as fake:
        yield fake
