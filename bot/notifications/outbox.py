"""The notification outbox: rows written in the same transaction as the event, delivered later with retries.

    pending ──2xx──▶ sent
       │ failure: attempts+1, next try after base × 2^(attempts before), e.g. 30 s, 1 min, 2 min, ...
       └─ after max_attempts failures ──▶ dead

All state is in the database, so deliveries survive a restart and several workers can
share the table: each row is leased with a conditional UPDATE before it is sent, and
a lease that is never settled (the worker died) simply expires. Delivery is
at-least-once; a receiver sees a row again only if a worker died mid-send.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

import requests
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from bot.notifications.orm import OutboxRow

log = logging.getLogger(__name__)

PENDING, SENT, DEAD = "pending", "sent", "dead"
LEASE = timedelta(minutes=2)


class DeliveryFailed(Exception):
    """The webhook did not accept the message; the text is safe to store (no URL, which holds a key)."""


class Sender(Protocol):
    def __call__(self, url: str, body: dict[str, Any]) -> None:
        """Delivers the body or raises DeliveryFailed."""


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    max_attempts: int = 8

    def delay(self, failures_before: int) -> timedelta:
        return timedelta(seconds=self.base_seconds * 2**failures_before)


@dataclass(frozen=True)
class WebhookSender:
    """POSTs JSON with `requests`, with a timeout; only a 2xx answer without an error code counts as delivered."""

    timeout_seconds: float = 5.0

    def __call__(self, url: str, body: dict[str, Any]) -> None:
        try:
            response = requests.post(url, json=body, timeout=self.timeout_seconds, allow_redirects=False)
        except requests.Timeout as error:
            raise DeliveryFailed("timed out") from error
        except requests.RequestException as error:
            raise DeliveryFailed(f"request failed ({type(error).__name__})") from error
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code}")
        # WeCom and DingTalk answer 200 with {"errcode": <non-zero>, "errmsg": ...} when they refuse a message.
        errcode = _json_field(response, "errcode")
        if errcode not in (None, 0):
            raise DeliveryFailed(f"errcode {errcode}: {str(_json_field(response, 'errmsg'))[:200]}")


def _json_field(response: requests.Response, name: str) -> object:
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None


def new_rows(kind: str, ticket: str, bodies: Sequence[tuple[str, dict[str, Any]]], now: datetime) -> list[OutboxRow]:
    """Outbox rows for one notification, one per (url, body); add them to the session of the event's transaction."""
    return [
        OutboxRow(
            dedupe_key=dedupe_key(kind, ticket, url),
            kind=kind,
            ticket=ticket,
            url=url,
            body=body,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for url, body in bodies
    ]


def dedupe_key(kind: str, ticket: str, url: str) -> str:
    return f"{kind}:{ticket}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Leased:
    id: int
    url: str
    body: dict[str, Any]
    attempts: int


def deliver_due(
    session_factory: Callable[[], Session],
    now: datetime,
    *,
    send: Sender | None = None,
    policy: RetryPolicy | None = None,
    limit: int = 50,
) -> DeliveryReport:
    """Sends the pending rows due at `now` and records each outcome (sent, retry later, or dead)."""
    send = send or WebhookSender()
    policy = policy or RetryPolicy()
    report = DeliveryReport()
    for item in _lease_due(session_factory, now, limit):
        try:
            send(item.url, item.body)
        except DeliveryFailed as error:
            _record_failure(session_factory, item, str(error), now, policy, report)
        else:
            _settle(session_factory, item.id, {"status": SENT, "delivered_at": now, "last_error": None})
            report.sent.append(item.id)
    return report


def _lease_due(session_factory: Callable[[], Session], now: datetime, limit: int) -> list[_Leased]:
    """Takes due rows out of other workers' reach for LEASE; only rows this call won are returned."""
    due = (
        select(OutboxRow.id, OutboxRow.url, OutboxRow.body, OutboxRow.attempts)
        .where(OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
    )
    leased = []
    with session_factory() as session:
        for row in session.execute(due).all():
            taken = cast(
                CursorResult[Any],
                session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now)
                    .values(next_attempt_at=now + LEASE)
                ),
            )
            if taken.rowcount == 1:
                leased.append(_Leased(row.id, row.url, row.body, row.attempts))
        session.commit()
    return leased


def _record_failure(
    session_factory: Callable[[], Session],
    item: _Leased,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    report: DeliveryReport,
) -> None:
    attempts, error = item.attempts + 1, error[:500]
    if attempts >= policy.max_attempts:
        _settle(session_factory, item.id, {"status": DEAD, "attempts": attempts, "last_error": error})
        report.dead.append(item.id)
        log.error("notification %s to %s given up after %d attempts: %s", item.id, _host(item.url), attempts, error)
        return
    retry_at = now + policy.delay(item.attempts)
    _settle(session_factory, item.id, {"attempts": attempts, "next_attempt_at": retry_at, "last_error": error})
    report.retrying.append(item.id)
    log.warning("notification %s to %s failed (%s); retry at %s", item.id, _host(item.url), error, retry_at)


def _settle(session_factory: Callable[[], Session], outbox_id: int, values: dict[str, Any]) -> None:
    with session_factory() as session:
        session.execute(update(OutboxRow).where(OutboxRow.id == outbox_id).values(**values))
        session.commit()


def _host(url: str) -> str:
    """The webhook's host, for logs: its path or query holds the access key."""
    return urlsplit(url).hostname or "?"
