"""A durable local spool for complaints confirmed while the database is unreachable.

One JSON file per pending complaint, named after a hash of its idempotency key, so
submitting the same complaint twice leaves one file. Files are written atomically
(temp file, fsync, rename, fsync of the directory) and readable only by the owner:
they hold personal data. `drain` files them later with their original time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.complaints.errors import ComplaintError, StoreUnavailable
from bot.complaints.model import Complaint, ComplaintDraft, TranscriptEntry, check_draft, mask_phone, utc
from bot.complaints.services import open_complaint
from bot.complaints.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

UnitOfWorkFactory = Callable[[], AbstractUnitOfWork]


@dataclass(frozen=True)
class SpooledComplaint:
    idempotency_key: str
    created_at: datetime
    draft: ComplaintDraft


class ComplaintSpool:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def put(self, draft: ComplaintDraft, now: datetime, idempotency_key: str) -> Path:
        """Keeps the complaint on disk until it can be filed; the same key overwrites, never duplicates."""
        entry = SpooledComplaint(idempotency_key=idempotency_key, created_at=utc(now), draft=draft)
        path = self._path(idempotency_key)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_atomically(path, json.dumps(_to_json(entry), ensure_ascii=False).encode("utf-8"))
        log.warning("complaint spooled until the database is back, contact %s", mask_phone(draft.contact_phone))
        return path

    def pending(self) -> list[SpooledComplaint]:
        return [entry for _path, entry in self._entries()]

    def drain(self, uow_factory: UnitOfWorkFactory) -> list[str]:
        """Files every spooled complaint (idempotently, at its original time); stops while the database is down.

        A file is deleted only after its complaint was committed. Returns the tickets filed.
        """
        tickets: list[str] = []
        for path, entry in self._entries():
            try:
                complaint = open_complaint(uow_factory(), entry.draft, entry.created_at, entry.idempotency_key)
            except StoreUnavailable:
                log.warning("database still unavailable; %d spooled complaint(s) wait", len(self.pending()))
                break
            except ComplaintError as error:
                self._set_aside(path, error)
                continue
            path.unlink(missing_ok=True)
            tickets.append(complaint.ticket)
        return tickets

    def _entries(self) -> list[tuple[Path, SpooledComplaint]]:
        """Spooled complaints, oldest first; unreadable files are set aside, not retried forever."""
        entries = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                entries.append((path, _from_json(json.loads(path.read_text(encoding="utf-8")))))
            except (ValueError, KeyError, TypeError) as error:
                self._set_aside(path, error)
        return sorted(entries, key=lambda pair: pair[1].created_at)

    def _set_aside(self, path: Path, error: Exception) -> None:
        log.error("spooled complaint %s set aside (%s): needs a person", path.name, type(error).__name__)
        os.replace(path, path.with_suffix(".rejected"))

    def _path(self, idempotency_key: str) -> Path:
        digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
        return self.directory / f"{digest}.json"


def submit_or_spool(
    uow_factory: UnitOfWorkFactory, spool: ComplaintSpool, draft: ComplaintDraft, now: datetime, key: str
) -> tuple[Complaint | None, bool]:
    """Files the complaint, or spools it when the database is unreachable: (complaint, False) or (None, True).

    An invalid draft (no consent, bad phone) raises before anything is stored or spooled.
    """
    check_draft(draft)
    try:
        return open_complaint(uow_factory(), draft, now, key), False
    except StoreUnavailable:
        spool.put(draft, now, key)
        return None, True


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # makes the rename itself survive a crash
    finally:
        os.close(directory)


def _to_json(entry: SpooledComplaint) -> dict[str, Any]:
    draft = asdict(entry.draft)
    draft["consent_given_at"] = entry.draft.consent_given_at.isoformat() if entry.draft.consent_given_at else None
    draft["transcript"] = [{**asdict(e), "timestamp": e.timestamp.isoformat()} for e in entry.draft.transcript]
    return {"idempotency_key": entry.idempotency_key, "created_at": entry.created_at.isoformat(), "draft": draft}


def _from_json(data: dict[str, Any]) -> SpooledComplaint:
    draft = dict(data["draft"])
    consent = draft["consent_given_at"]
    draft["consent_given_at"] = datetime.fromisoformat(consent) if consent else None
    draft["transcript"] = [
        TranscriptEntry(role=e["role"], text=e["text"], timestamp=datetime.fromisoformat(e["timestamp"]))
        for e in draft["transcript"]
    ]
    return SpooledComplaint(
        idempotency_key=data["idempotency_key"],
        created_at=datetime.fromisoformat(data["created_at"]),
        draft=ComplaintDraft(**draft),
    )
