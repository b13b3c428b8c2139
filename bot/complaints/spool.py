"""A durable local spool for complaints confirmed while the database is unreachable.

One file per pending complaint, named after a hash of its idempotency key, so submitting the
same complaint twice leaves one file. Files are written atomically (temp file, fsync, rename,
fsync of the directory). `drain` files them later with their original time.

What is kept, and how. A spooled complaint must be filed later exactly as the user confirmed it,
so the file keeps the whole draft: the full phone number (the operator calls back on it), the
description, place, handset and the consented transcript. It is personal data at rest, so:
- each file is encrypted (Fernet: AES-128-CBC with an HMAC-SHA256 tag) with COMPLAINT_SPOOL_KEY,
  a key from the environment (a Secret in production; generated once under var/ in development),
  and a file that does not decrypt is set aside for a person, never filed half-read;
- the directory is 0700 and each file 0600;
- every log line about a spooled complaint shows the number masked (138****1234);
- a file is deleted as soon as its complaint is committed, and the erasure of expired data
  (`bot.cli erase-expired`) then applies to it like any other record.
Files written before encryption (plain *.json) are still read and filed, then deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.complaints.errors import ComplaintError, StoreUnavailable
from bot.complaints.model import Complaint, ComplaintDraft, TranscriptEntry, check_draft, mask_phone, utc
from bot.complaints.services import open_complaint
from bot.complaints.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

UnitOfWorkFactory = Callable[[], AbstractUnitOfWork]
SEALED = ".spool"  # encrypted files
PLAIN = ".json"  # files of earlier releases, read once and filed


class SpoolCipher:
    """Seals spool files with the first key and opens them with any key (so a key can be rotated)."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("the complaint spool needs at least one key (COMPLAINT_SPOOL_KEY)")
        self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def open(self, token: bytes) -> bytes:
        return self._fernet.decrypt(token)


def configured_cipher() -> SpoolCipher:
    from bot.settings import get_settings

    return SpoolCipher(get_settings().ensure_spool_keys())


@dataclass(frozen=True)
class SpooledComplaint:
    idempotency_key: str
    created_at: datetime
    draft: ComplaintDraft


class ComplaintSpool:
    def __init__(self, directory: Path, cipher: SpoolCipher | None = None) -> None:
        self.directory = Path(directory)
        self.cipher = cipher or configured_cipher()

    def put(self, draft: ComplaintDraft, now: datetime, idempotency_key: str) -> Path:
        """Keeps the complaint on disk until it can be filed; the same key overwrites, never duplicates."""
        entry = SpooledComplaint(idempotency_key=idempotency_key, created_at=utc(now), draft=draft)
        path = self._path(idempotency_key)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        _write_atomically(path, self.cipher.seal(json.dumps(_to_json(entry), ensure_ascii=False).encode("utf-8")))
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
            log.info(
                "spooled complaint filed as %s, contact %s", complaint.ticket, mask_phone(entry.draft.contact_phone)
            )
            tickets.append(complaint.ticket)
        return tickets

    def _entries(self) -> list[tuple[Path, SpooledComplaint]]:
        """Spooled complaints, oldest first; unreadable files are set aside, not retried forever."""
        entries = []
        paths = sorted([*self.directory.glob(f"*{SEALED}"), *self.directory.glob(f"*{PLAIN}")])
        for path in paths:
            try:
                data = path.read_bytes()
                text = data if path.suffix == PLAIN else self.cipher.open(data)
                entries.append((path, _from_json(json.loads(text.decode("utf-8")))))
            except (InvalidToken, ValueError, KeyError, TypeError) as error:
                self._set_aside(path, error)
        return sorted(entries, key=lambda pair: pair[1].created_at)

    def _set_aside(self, path: Path, error: Exception) -> None:
        log.error("spooled complaint %s set aside (%s): needs a person", path.name, type(error).__name__)
        os.replace(path, path.with_suffix(".rejected"))

    def _path(self, idempotency_key: str) -> Path:
        digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
        return self.directory / f"{digest}{SEALED}"


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
