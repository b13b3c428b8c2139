"""Settings: database URLs to Rasa store settings, and refusing unsafe production defaults."""

import pytest
from pydantic import ValidationError

from bot.settings import Settings, rasa_redis_lock_store, rasa_sql_store


def test_sqlite_urls_become_a_sqlite_tracker_store():
    assert rasa_sql_store("sqlite:////srv/bot/tracker.db") == {
        "type": "bot.trackers.WindowedSQLTrackerStore",
        "dialect": "sqlite",
        "db": "/srv/bot/tracker.db",
        "window": 120,
    }
    assert rasa_sql_store("sqlite:///var/tracker.db")["db"] == "var/tracker.db"


def test_postgresql_urls_become_a_postgresql_tracker_store():
    store = rasa_sql_store("postgresql+psycopg://bot:secret@db.internal:6543/conversations", window=60)
    assert store == {
        "type": "bot.trackers.WindowedSQLTrackerStore",
        "window": 60,
        "dialect": "postgresql",
        "url": "db.internal",
        "port": 6543,
        "db": "conversations",
        "username": "bot",
        "password": "secret",
    }


def test_an_unknown_database_is_refused():
    with pytest.raises(ValueError):
        rasa_sql_store("mysql://x@y/z")


def test_a_redis_url_becomes_rasas_lock_store_settings():
    assert rasa_redis_lock_store("redis://:pw@cache:6380/2") == {
        "type": "redis",
        "url": "cache",
        "port": 6380,
        "db": 2,
        "key_prefix": "g5care",
        "password": "pw",
    }


def test_the_tracker_follows_a_postgresql_database_url():
    settings = Settings(database_url="postgresql://u@h/db")
    assert settings.tracker_url == "postgresql://u@h/db"
    assert Settings(database_url="sqlite:///x.db").tracker_url.endswith("var/tracker.db")


def test_production_refuses_the_development_defaults():
    with pytest.raises(ValidationError):
        Settings(environment="production")
    with pytest.raises(ValidationError):
        Settings(environment="production", rasa_token="x" * 32)
    Settings(
        environment="production",
        rasa_token="x" * 32,
        database_url="postgresql://u@h/db",
        deploying_operator="china_mobile",
    )


def test_a_neutral_production_deployment_must_name_who_handles_the_data():
    secure = {"environment": "production", "rasa_token": "x" * 32, "database_url": "postgresql://u@h/db"}
    with pytest.raises(ValidationError, match="DATA_HANDLER_NAME"):
        Settings(**secure, deploying_operator="neutral")
    with pytest.raises(ValidationError, match="DATA_HANDLER_NAME"):
        Settings(**secure, deploying_operator="neutral", data_handler_name="Example Ltd")
    Settings(
        **secure, deploying_operator="neutral", data_handler_name="Example Ltd", data_handler_contact="400 000 0000"
    )


def test_the_deploying_operator_must_be_one_of_the_four_or_neutral():
    with pytest.raises(ValidationError):
        Settings(deploying_operator="china_tietong")
