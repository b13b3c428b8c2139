"""With a PostgreSQL tracker store, a conversation survives a restart of the servers."""

import uuid

import psycopg
import pytest
import requests

from tests.e2e.servers import running_servers

pytestmark = pytest.mark.e2e
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def tracker_database():
    name = f"tracker_e2e_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield {"type": "rasa_server.trackers.WindowedSQLTrackerStore", "dialect": "postgresql", "url": "127.0.0.1",
               "port": 5432, "db": name, "username": "postgres"}  # fmt: skip
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tracker_events(servers, sender):
    response = requests.get(
        f"{servers.rasa_url}/conversations/{sender}/tracker", params={"token": servers.token}, timeout=30
    )
    response.raise_for_status()
    return response.json()["events"]


def test_a_conversation_survives_a_restart_with_the_postgresql_tracker_store(tmp_path, tracker_database):
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    with running_servers(tmp_path / "first", {"tracker_store": tracker_database}) as servers:
        servers.send(sender, "how do I check 5G coverage")
        before = tracker_events(servers, sender)
    with running_servers(tmp_path / "second", {"tracker_store": tracker_database}) as servers:
        after = tracker_events(servers, sender)
        assert [e["event"] for e in after[: len(before)]] == [e["event"] for e in before]
        user_texts = [e.get("text") for e in after if e["event"] == "user"]
        assert "how do I check 5G coverage" in user_texts
        # the conversation goes on in its language, without a second welcome
        replies = [m.get("text", "") for m in servers.send(sender, "thanks")]
        assert replies and replies[0].startswith("You're welcome")
