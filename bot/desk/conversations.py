"""Deleting conversations from Rasa's tracker store: the chat half of the personal data lifecycle (PIPL).

The desk reads the tracker store read-only (bot.desk.tracker); only these two maintenance steps write to
it, each in one short transaction:

- `forget(sender_id)`: every event of one conversation, when a user's erasure request is confirmed;
- `prune(cutoff)`: events older than the conversation retention period (CONVERSATION_RETENTION_DAYS,
  default 90 days as the privacy answer states): whole conversations silent since the cutoff, and, in
  conversations still going on, everything before their last session start older than the cutoff (a
  session start resets the dialogue state, so what came before it is never read again).

A missing store (no database file, no events table) has nothing to delete.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.db import normalise_url

_FORGET = text("DELETE FROM events WHERE sender_id = :sender_id")
_PRUNE = text(
    "DELETE FROM events WHERE timestamp < :cutoff AND ("
    " NOT EXISTS (SELECT 1 FROM events later WHERE later.sender_id = events.sender_id AND later.timestamp >= :cutoff)"
    " OR id < (SELECT max(start.id) FROM events start WHERE start.sender_id = events.sender_id"
    " AND start.type_name = 'session_started' AND start.timestamp < :cutoff))"
)


class Conversations:
    def __init__(self, url: str) -> None:
        self.url = url

    def forget(self, sender_id: str) -> int:
        """Deletes one conversation's events; how many."""
        return self._delete(_FORGET, {"sender_id": sender_id})

    def prune(self, cutoff: datetime) -> int:
        """Deletes what the retention period no longer allows (see the module docstring); how many events."""
        return self._delete(_PRUNE, {"cutoff": cutoff.timestamp()})

    def _delete(self, statement: object, params: dict[str, object]) -> int:
        engine = self._engine()
        if engine is None:
            return 0
        try:
            with engine.begin() as connection:
                if not inspect(connection).has_table("events"):
                    return 0
                return int(connection.execute(statement, params).rowcount or 0)  # type: ignore[call-overload]
        finally:
            engine.dispose()

    def _engine(self) -> Engine | None:
        url = make_url(normalise_url(self.url))
        if url.get_backend_name() == "sqlite" and (not url.database or not Path(url.database).exists()):
            return None  # opening would create an empty database file where Rasa expects its own
        return create_engine(url)
