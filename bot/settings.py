"""One settings object, read from the environment (and an optional .env file).

Local development gets safe defaults (SQLite under var/, a generated token);
outside development the defaults that are secrets are refused.
"""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from common.origins import OriginError, bot_page_origins, parse_origins

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
    # Several replicas (docs/deploy.md): where Rasa reaches the action server, pulls its model
    # (Rasa's `models` endpoint, polled with ETags) and publishes conversation events (RabbitMQ).
    action_server_url: str = ""
    model_server_url: str = ""
    model_pull_seconds: int = Field(default=10, ge=1)
    rabbitmq_url: str = Field(default="", repr=False)
    event_queue: str = "g5care_conversation_events"
    # Without RABBITMQ_URL, Rasa writes its events to this database (Rasa's SQL event broker, table
    # `events`) and the desk reads them from there. Not the tracker store's database: both name a table `events`.
    event_broker_database_url: str = f"sqlite:///{VAR / 'events.db'}"
    # Live hand-off (bot/handoff): when agents answer (Beijing time, "09:00-21:00"; equal ends = always),
    # how long a request waits for an agent before the bot says nobody accepted, and the secret of the
    # Rasa server's hand-off endpoint (rasa_server/channels/handoff.py) the desk sends through.
    handoff_hours: str = "09:00-21:00"
    handoff_accept_timeout_seconds: int = Field(default=180, ge=10)
    handoff_secret: str = Field(default="", repr=False)
    # Where the desk reaches the Rasa server; empty: http://127.0.0.1:RASA_PORT.
    rasa_url: str = ""
    # Seconds a holder may keep a conversation's lock without renewing it (rasa_server/locks.py).
    lock_lifetime_seconds: float = Field(default=60.0, gt=0)
    # Events of a conversation the dialogue engine reads per turn (rasa_server/trackers.py); all are stored.
    tracker_window: int = Field(default=120, ge=20)

    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    # URL browsers use for the socket.io channel; empty = same host as the page, port rasa_port.
    public_rasa_url: str = ""
    rasa_token: str = Field(default="", repr=False)
    # Web origins whose pages may open a chat (the embeddable widget), comma-separated, e.g.
    # "https://www.operator.cn,https://m.operator.cn"; empty: the bot's own page on this machine only.
    allowed_origins: str = ""

    # Days the operator has to reply to a complaint before the user may appeal (MIIT Order No. 35: 15).
    # Which operator the bot speaks for in look-ups: "all", or one of
    # china_mobile, china_telecom, china_unicom, china_broadnet.
    default_operator: str = "all"
    # The operator that deploys the bot and handles the complaints and personal data it collects
    # (PIPL Art. 17; MIIT Order No. 35 Art. 13): one of china_mobile, china_telecom, china_unicom,
    # china_broadnet, or "neutral" for a deployment by another organisation (which forwards records).
    deploying_operator: Literal["neutral", "china_mobile", "china_telecom", "china_unicom", "china_broadnet"] = (
        "neutral"
    )
    # Who handles the personal data and how to reach them; an operator's deployment defaults to the
    # operator's name and hotline, a neutral one must name itself (required in production).
    data_handler_name: str = ""
    data_handler_contact: str = ""
    # Load the sample catalogue (data/catalog/*.sample.csv) at start; for development and demos only.
    load_sample_catalogue: bool = True
    complaint_reply_days: int = Field(default=15, ge=1)
    # PIPL retention: days after closing when a complaint's phone number, chat transcript and free texts
    # are erased (the record and its statistics stay); run `python -m bot.cli erase-expired` daily.
    complaint_retention_days: int = Field(default=730, ge=1)
    # Days a conversation is kept in Rasa's tracker store (pruned by the same command; bot/desk/conversations.py).
    conversation_retention_days: int = Field(default=90, ge=1)
    # Complaints confirmed while the database is unreachable wait here (one encrypted file each).
    spool_dir: Path = VAR / "spool"
    # Keys of the spool's files (Fernet keys, comma-separated; the first encrypts, all decrypt, so a
    # new key goes first and an old one stays until the spool is empty). Generated under var/ in
    # development, required in production. Make one with
    # python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
    complaint_spool_key: str = Field(default="", repr=False)

    # Agent desk: signing key of its access tokens (HS256), generated into var/ in development,
    # required (32+ characters) in production; token lifetime in minutes.
    desk_secret_key: str = Field(default="", repr=False)
    desk_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Failed log-ins allowed per username and client address in a moving window (bot/desk/throttle.py).
    desk_login_max_failures: int = Field(default=5, ge=1)
    desk_login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Where agents open the console, for links in notifications (e.g. https://desk.example.cn); empty: no link.
    desk_public_url: str = ""
    # Incoming webhooks told about new and overdue complaints (NOTIFY_WEBHOOK_URLS, comma-separated).
    notify_webhook_urls: Annotated[list[str], NoDecode] = Field(default_factory=list, repr=False)
    # Body style: "auto" sends Slack's {"text"} to hooks.slack.com and WeCom/DingTalk's msgtype text elsewhere.
    notify_webhook_format: Literal["auto", "wecom", "slack"] = "auto"
    notify_timeout_seconds: float = Field(default=5.0, gt=0)
    notify_max_attempts: int = Field(default=8, ge=1)
    notify_retry_base_seconds: float = Field(default=30.0, gt=0)
    # The desk's background worker (notification delivery, overdue sweep); None: on except when ENVIRONMENT=test.
    notify_worker_enabled: bool | None = None
    notify_worker_interval_seconds: float = Field(default=30.0, gt=0)

    @field_validator("notify_webhook_urls", mode="before")
    @classmethod
    def _split_webhook_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value

    @field_validator("handoff_hours")
    @classmethod
    def _check_hours(cls, value: str) -> str:
        from common.hours import OpeningHours

        return str(OpeningHours.parse(value))

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, value: str) -> str:
        try:
            return ",".join(parse_origins(value))
        except OriginError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _broker_apart_from_tracker(self) -> Settings:
        if not self.rabbitmq_url and self.event_broker_database_url == self.tracker_url:
            raise ValueError("EVENT_BROKER_DATABASE_URL must not be the tracker store's database (both hold `events`)")
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "production":
            if not self.allowed_origins:
                raise ValueError("ALLOWED_ORIGINS must list the sites that embed the chat in production")
            if len(self.rasa_token) < 24:
                raise ValueError("RASA_TOKEN must be set to a random value of 24+ characters in production")
            if self.database_url.startswith("sqlite"):
                raise ValueError("DATABASE_URL must point to PostgreSQL in production")
            if self.deploying_operator == "neutral" and not (self.data_handler_name and self.data_handler_contact):
                raise ValueError(
                    "DATA_HANDLER_NAME and DATA_HANDLER_CONTACT must name who handles users' data "
                    "in a neutral deployment (DEPLOYING_OPERATOR=neutral) in production"
                )
        return self

    @property
    def chat_origins(self) -> list[str]:
        """Origins the Rasa server's web chat channel accepts (it reads them as ALLOWED_ORIGINS)."""
        return self.allowed_origins.split(",") if self.allowed_origins else bot_page_origins(self.web_port)

    @property
    def rasa_base_url(self) -> str:
        return (self.rasa_url or f"http://127.0.0.1:{self.rasa_port}").rstrip("/")

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

    def ensure_desk_secret_key(self) -> str:
        """The desk's token signing key: from the environment, else (development only) generated once under var/."""
        if self.desk_secret_key:
            if self.environment == "production" and len(self.desk_secret_key) < 32:
                raise ValueError("DESK_SECRET_KEY must be a random value of 32+ characters in production")
            return self.desk_secret_key
        if self.environment == "production":
            raise ValueError("DESK_SECRET_KEY must be set to a random value of 32+ characters in production")
        path = VAR / "desk_secret_key"
        if not path.exists():
            VAR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def ensure_spool_keys(self) -> list[str]:
        """The complaint spool's keys: from the environment, else (not in production) generated once under var/."""
        if self.complaint_spool_key:
            keys = [key.strip() for key in self.complaint_spool_key.split(",") if key.strip()]
        elif self.environment == "production":
            raise ValueError("COMPLAINT_SPOOL_KEY must be set in production (a Fernet key; see bot/settings.py)")
        else:
            path = VAR / "complaint_spool_key"
            if not path.exists():
                VAR.mkdir(parents=True, exist_ok=True)
                path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))
                path.chmod(0o600)
            keys = [path.read_text().strip()]
        for key in keys:
            if not _is_fernet_key(key):
                raise ValueError("COMPLAINT_SPOOL_KEY: each key must be 32 bytes in URL-safe base64 (a Fernet key)")
        return keys


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
    except ValueError:  # not ASCII, or not base64
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


TRACKER_STORE = "rasa_server.trackers.WindowedSQLTrackerStore"


def rasa_sql_store(url: str, window: int = 120) -> dict[str, object]:
    """Tracker store settings (the windowed SQL store of rasa_server/trackers.py) for a SQLAlchemy-style URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy reads them
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": parts.path[1:], "window": window}
    if scheme in {"postgresql", "postgres"}:
        store: dict[str, object] = {
            "type": TRACKER_STORE,
            "window": window,
            "dialect": "postgresql",
            # Rasa's SQLTrackerStore takes the host as `url`
            "url": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "db": parts.path.lstrip("/") or "postgres",
        }
        if parts.username:
            store["username"] = parts.username
        if parts.password:
            store["password"] = parts.password
        return store
    raise ValueError(f"unsupported tracker database URL scheme: {scheme!r}")


LOCK_STORE = "rasa_server.locks.AtomicRedisLockStore"


def rasa_redis_lock_store(url: str, lifetime: float = 60.0) -> dict[str, object]:
    """Lock store settings for a redis:// URL (rasa_server/locks.py's atomic store; Rasa calls the host `url`)."""
    parts = urlsplit(url)
    store: dict[str, object] = {
        "type": LOCK_STORE,
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "key_prefix": "g5care",
        "lock_lifetime": lifetime,
    }
    if parts.username:
        store["username"] = parts.username
    if parts.password:
        store["password"] = parts.password
    if parts.scheme == "rediss":
        store["use_ssl"] = True
    return store


def rasa_sql_broker(url: str) -> dict[str, object]:
    """Rasa's SQL event broker settings (it appends every event to a table `events` there) for a SQLAlchemy URL."""
    broker = {key: value for key, value in rasa_sql_store(url).items() if key not in ("type", "window")}
    return {"type": "sql", **broker}


def rasa_pika_broker(url: str, queue: str) -> dict[str, object]:
    """Rasa's RabbitMQ event broker settings for an amqp:// URL (every event of every turn goes to `queue`)."""
    parts = urlsplit(url)
    if parts.scheme not in {"amqp", "amqps"}:
        raise ValueError(f"RABBITMQ_URL must be amqp:// or amqps://, not {parts.scheme!r}")
    broker: dict[str, object] = {
        "type": "pika",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or (5671 if parts.scheme == "amqps" else 5672),
        "username": parts.username or "guest",
        "password": parts.password or "guest",
        "queues": [queue],
    }
    if parts.scheme == "amqps":
        broker["ssl"] = True
    return broker
