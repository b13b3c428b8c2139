"""When the application database is down: every action that reads or writes it answers within 2 seconds.

A look-up runs off the event loop with a deadline; a refused or cut connection, a store error or the
deadline passing all mean the same to the user: an honest "not available right now" in their language,
never silence. (Filing a complaint has its own path: the spool keeps it until the database is back.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import exc as sa_exc

from bot.complaints.errors import StoreUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
DEADLINE_SECONDS = 1.5  # leaves room, within the 2 s promised, for Rasa to send the answer
STORE_DOWN = (StoreUnavailable, sa_exc.SQLAlchemyError, OSError, asyncio.TimeoutError, TimeoutError)


async def from_store(work: Callable[[], T], what: str) -> T:
    """work() in a thread, given up after DEADLINE_SECONDS; the errors of STORE_DOWN are logged and raised."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), DEADLINE_SECONDS)
    except STORE_DOWN as error:
        log.warning("%s: application database unavailable (%s)", what, type(error).__name__)
        raise
