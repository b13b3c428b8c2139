"""One settings object, read from the environment (and an optional .env file).

Local development gets safe defaults (SQLite under var/, a generated token);
outside development the defaults that are secrets are refused.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Application data (complaints, catalogue, desk). SQLite file by default.
    database_url: str = f"sqlite:///{VAR / 'app.db'}"
    # Rasa's conversation store; defaults to DATABASE_URL when that is PostgreSQL, else var/tracker.db.
    tracker_database_url: str | None = None
    redis_url: str | None = None

    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    # URL browsers use for the socket.io channel; empty = same host as the page, port rasa_port.
    public_rasa_url: str = ""
    rasa_token: str = Field(default="", repr=False)

    # Days the operator has to reply to a complaint before the user may appeal (MIIT Order No. 35: 15).
    complaint_reply_days: int = Field(default=15, ge=1)
    # Complaints confirmed while the database is unreachable wait here (one JSON file each).
    spool_dir: Path = VAR / "spool"

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "production":
            if len(self.rasa_token) < 24:
                raise ValueError("RASA_TOKEN must be set to a random value of 24+ characters in production")
            if self.database_url.startswith("sqlite"):
                raise ValueError("DATABASE_URL must point to PostgreSQL in production")
        return self

    @property
    def tracker_url(self) -> str:
        if self.tracker_database_url:
            return self.tracker_database_url
        if self.database_url.startswith("postgresql"):
            return self.database_url
        return f"sqlite:///{VAR / 'tracker.db'}"

    def ensure_rasa_token(self) -> str:
        """The Rasa HTTP API token: from the environment, else one generated once under var/."""
        if self.rasa_token:
            return self.rasa_token
        path = VAR / "rasa_token"
        if not path.exists():
            VAR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def rasa_sql_store(url: str) -> dict[str, object]:
    """Rasa's SQLTrackerStore keyword arguments for a SQLAlchemy-style database URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy reads them
        return {"type": "SQL", "dialect": "sqlite", "db": parts.path[1:]}
    if scheme in {"postgresql", "postgres"}:
        store: dict[str, object] = {
            "type": "SQL",
            "dialect": "postgresql",
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "db": parts.path.lstrip("/") or "postgres",
        }
        if parts.username:
            store["username"] = parts.username
        if parts.password:
            store["password"] = parts.password
        return store
    raise ValueError(f"unsupported tracker database URL scheme: {scheme!r}")


def rasa_redis_lock_store(url: str) -> dict[str, object]:
    """Rasa's RedisLockStore settings (Rasa calls the host `url`) for a redis:// URL."""
    parts = urlsplit(url)
    store: dict[str, object] = {
        "type": "redis",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "key_prefix": "g5care",
    }
    if parts.password:
        store["password"] = parts.password
    return store
