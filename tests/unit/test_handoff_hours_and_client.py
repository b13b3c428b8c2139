"""Opening hours in Beijing time, and the desk's client of the Rasa hand-off endpoint (on a transport double)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest

from bot.handoff.rasa_client import RasaHandoffClient, RasaUnreachable
from common.hours import OpeningHours


@pytest.mark.parametrize(
    ("hours", "utc_hour", "open_"),
    [
        ("09:00-21:00", 0, False),  # 08:00 Beijing
        ("09:00-21:00", 1, True),  # 09:00 Beijing
        ("09:00-21:00", 13, False),  # 21:00 Beijing
        ("22:00-06:00", 15, True),  # 23:00 Beijing, over midnight
        ("22:00-06:00", 4, False),  # 12:00 Beijing
        ("00:00-24:00", 4, True),
    ],
)
def test_opening_hours_are_read_in_beijing_time(hours, utc_hour, open_):
    assert OpeningHours.parse(hours).is_open(datetime(2026, 12, 7, utc_hour, tzinfo=timezone.utc)) is open_


@pytest.mark.parametrize("text", ["9-21", "25:00-26:00", "09:00"])
def test_malformed_opening_hours_are_refused(text):
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        OpeningHours.parse(text)


def test_the_client_sends_the_secret_and_reads_whether_the_user_was_reached():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "delivered": True})

    client = RasaHandoffClient("http://rasa:5005/", "s3cret", transport=httpx.MockTransport(handler))
    assert client.message("u1", "Agent 07", "hello", 12) is True
    assert str(seen[0].url) == "http://rasa:5005/webhooks/handoff/message"
    assert seen[0].headers["X-Handoff-Secret"] == "s3cret"
    assert json.loads(seen[0].content) == {
        "conversation_id": "u1",
        "agent_label": "Agent 07",
        "text": "hello",
        "message_id": "12",
    }


@pytest.mark.parametrize("status", [401, 404, 409, 500, 503])
def test_a_refused_call_is_never_taken_for_delivered(status):
    client = RasaHandoffClient("http://rasa", "x", transport=httpx.MockTransport(lambda r: httpx.Response(status)))
    with pytest.raises(RasaUnreachable) as raised:
        client.end("u1")
    assert raised.value.status == status
