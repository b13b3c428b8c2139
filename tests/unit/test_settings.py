"""Settings: database URLs to Rasa store settings, and refusing unsafe production defaults."""

import pytest
from pydantic import ValidationError

from bot.complaints.spool import SpoolCipher
from bot.settings import Settings, rasa_redis_lock_store, rasa_sql_store


def test_sqlite_urls_become_a_sqlite_tracker_store():
    assert rasa_sql_store("sqlite:////srv/bot/tracker.db") == {
        "type": "rasa_server.trackers.WindowedSQLTrackerStore",
        "dialect": "sqlite",
        "db": "/srv/bot/tracker.db",
        "window": 120,
    }
    assert rasa_sql_store("sqlite:///var/tracker.db")["db"] == "var/tracker.db"


def test_postgresql_urls_become_a_postgresql_tracker_store():
    store = rasa_sql_store("postgresql+psycopg://bot:secret@db.internal:6543/conversations", window=60)
    assert store == {
        "type": "rasa_server.trackers.WindowedSQLTrackerStore",
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


def test_a_redis_url_becomes_the_atomic_lock_store_settings():
    assert rasa_redis_lock_store("redis://:pw@cache:6380/2") == {
        "type": "rasa_server.locks.AtomicRedisLockStore",
        "url": "cache",
        "port": 6380,
        "db": 2,
        "key_prefix": "g5care",
        "lock_lifetime": 60.0,
        "password": "pw",
    }


def test_a_tls_redis_url_with_a_user_keeps_both():
    store = rasa_redis_lock_store("rediss://bot:pw@cache.internal:6380/0")
    assert (store["username"], store["password"], store["use_ssl"]) == ("bot", "pw", True)


def test_the_tracker_follows_a_postgresql_database_url():
    settings = Settings(database_url="postgresql://u@h/db")
    assert settings.tracker_url == "postgresql://u@h/db"
    assert Settings(database_url="sqlite:///x.db").tracker_url.endswith("var/tracker.db")


def test_production_refuses_the_development_defaults():
    with pytest.raises(ValidationError):
        Settings(environment="production")
    with pytest.raises(ValidationError):
        Settings(environment="production", rasa_token="x" * 32)
    with pytest.raises(ValidationError, match="ALLOWED_ORIGINS"):
        Settings(
            environment="production",
            rasa_token="x" * 32,
            database_url="postgresql://u@h/db",
            deploying_operator="china_mobile",
        )
    Settings(
        environment="production",
        rasa_token="x" * 32,
        database_url="postgresql://u@h/db",
        deploying_operator="china_mobile",
        allowed_origins="https://www.operator.cn",
    )


def test_the_chat_is_open_to_the_listed_sites_or_else_only_to_the_bots_own_page():
    listed = Settings(allowed_origins="https://www.operator.cn/, https://M.operator.cn:443")
    assert listed.chat_origins == ["https://www.operator.cn", "https://m.operator.cn"]
    assert Settings(web_port=9000).chat_origins == ["http://127.0.0.1:9000", "http://localhost:9000"]


@pytest.mark.parametrize("value", ["*", "www.operator.cn", "https://www.operator.cn/chat"])
def test_an_allowed_origin_that_is_not_an_origin_stops_the_start_with_the_reason(value):
    with pytest.raises(ValidationError, match="origin|ALLOWED_ORIGINS"):
        Settings(allowed_origins=value)


def test_a_neutral_production_deployment_must_name_who_handles_the_data():
    secure = {
        "environment": "production",
        "rasa_token": "x" * 32,
        "database_url": "postgresql://u@h/db",
        "allowed_origins": "https://www.operator.cn",
    }
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


def test_the_complaint_spool_key_is_required_in_production_and_must_be_a_fernet_key():
    production = {
        "environment": "production",
        "rasa_token": "x" * 32,
        "database_url": "postgresql://u@h/db",
        "deploying_operator": "china_mobile",
        "allowed_origins": "https://www.operator.cn",
    }
    with pytest.raises(ValueError, match="COMPLAINT_SPOOL_KEY must be set"):
        Settings(**production).ensure_spool_keys()
    with pytest.raises(ValueError, match="32 bytes"):
        Settings(**production, complaint_spool_key="not-a-key").ensure_spool_keys()
    new, old = SpoolCipher.new_key(), SpoolCipher.new_key()
    assert Settings(**production, complaint_spool_key=f"{new}, {old}").ensure_spool_keys() == [new, old]
    assert "complaint_spool_key" not in repr(Settings(**production, complaint_spool_key=new))
