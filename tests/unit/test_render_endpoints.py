"""`python -m bot.cli render-endpoints`: Rasa's endpoints.yml from the settings, for one process or many replicas."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.settings import get_settings, rasa_pika_broker


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    names = ("REDIS_URL", "MODEL_SERVER_URL", "RABBITMQ_URL", "ACTION_SERVER_URL", "DATABASE_URL")
    for name in (*names, "EVENT_BROKER_DATABASE_URL", "TRACKER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def rendered(tmp_path: Path) -> dict:
    out = tmp_path / "endpoints.yml"
    assert cli.main(["render-endpoints", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it may hold passwords
    return yaml.safe_load(out.read_text())


def test_one_machine_gets_the_local_action_server_no_lock_or_model_server_and_the_embedded_broker(
    tmp_path: Path,
) -> None:
    endpoints = rendered(tmp_path)
    assert endpoints["action_endpoint"] == {"url": "http://127.0.0.1:5055/webhook"}
    assert not {"lock_store", "models"} & set(endpoints)
    broker = endpoints["event_broker"]
    assert (broker["type"], broker["dialect"]) == ("sql", "sqlite")
    assert broker["db"].endswith("var/events.db")


def test_the_embedded_broker_never_shares_the_tracker_stores_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both Rasa's SQL broker and its tracker store write a table named `events`."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:pw@db:5432/app")
    monkeypatch.setenv("EVENT_BROKER_DATABASE_URL", "postgresql://bot:pw@db:5432/rasa_events")
    endpoints = rendered(tmp_path)
    assert (endpoints["event_broker"]["type"], endpoints["event_broker"]["db"]) == ("sql", "rasa_events")
    assert endpoints["tracker_store"]["db"] == "app"


def test_replicas_get_the_atomic_lock_the_model_server_the_broker_and_the_action_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:pw@db.internal:5432/g5care")
    monkeypatch.setenv("REDIS_URL", "redis://:redispw@cache.internal:6379/1")
    monkeypatch.setenv("LOCK_LIFETIME_SECONDS", "30")
    monkeypatch.setenv("MODEL_SERVER_URL", "https://models.internal/g5care/bot.tar.gz")
    monkeypatch.setenv("RABBITMQ_URL", "amqps://bot:mqpw@mq.internal/")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://g5care-actions:5055/webhook")
    endpoints = rendered(tmp_path)
    assert endpoints["action_endpoint"] == {"url": "http://g5care-actions:5055/webhook"}
    assert endpoints["tracker_store"]["url"] == "db.internal"
    lock = endpoints["lock_store"]
    assert (lock["type"], lock["url"], lock["db"], lock["password"]) == (
        "rasa_server.locks.AtomicRedisLockStore",
        "cache.internal",
        1,
        "redispw",
    )
    assert lock["lock_lifetime"] == 30.0
    assert endpoints["models"] == {"url": "https://models.internal/g5care/bot.tar.gz", "wait_time_between_pulls": 10}
    broker = endpoints["event_broker"]
    assert (broker["type"], broker["url"], broker["port"], broker["ssl"]) == ("pika", "mq.internal", 5671, True)
    assert (broker["username"], broker["password"], broker["queues"]) == ("bot", "mqpw", ["g5care_conversation_events"])


def test_a_broker_url_that_is_not_amqp_is_refused() -> None:
    with pytest.raises(ValueError, match="amqp"):
        rasa_pika_broker("redis://mq.internal", "events")


def test_a_broker_database_that_is_the_tracker_stores_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:pw@db:5432/app")
    monkeypatch.setenv("EVENT_BROKER_DATABASE_URL", "postgresql://bot:pw@db:5432/app")
    with pytest.raises(ValueError, match="EVENT_BROKER_DATABASE_URL"):
        get_settings()
