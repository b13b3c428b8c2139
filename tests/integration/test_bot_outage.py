"""Every bot action that reads or writes the application database answers within 2 seconds when it is down.

PostgreSQL behind a TCP proxy (tests/integration/test_database_outage.py): stopping the proxy is, for the
bot, the database going away. Each action gets an honest answer in the user's language, never silence.
"""

from __future__ import annotations

import time
import uuid

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints import ActionSubmitComplaint
from actions.lookups import ActionAnswerCoverage, ActionAnswerHandset, ActionAnswerPlan
from actions.status import ActionCheckComplaintStatus
from tests.conftest import load_domain, make_tracker
from tests.integration.test_database_outage import FILLED, bot_on, proxied_database

__all__ = ["bot_on", "proxied_database"]

CASES = [
    (ActionCheckComplaintStatus, {"status_ticket": "C20261129-0001", "status_last4": "5678"}, {}, "utter_status"),
    (ActionAnswerCoverage, {"place": "深圳南山"}, {}, "utter_lookup"),
    (ActionAnswerHandset, {"handset": "Mate 60"}, {}, "utter_lookup"),
    (ActionAnswerPlan, {"plan": "5G畅享套餐"}, {"text": "5G畅享套餐多少钱"}, "utter_lookup"),
]


async def run(action, slots, message, language="zh"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**slots, "language": language}, latest_message=message, sender_id=uuid.uuid4().hex)
    started = time.monotonic()
    await action().run(dispatcher, tracker, load_domain())
    return [m.get("response") for m in dispatcher.messages], time.monotonic() - started


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("action", "slots", "message", "prefix"), CASES, ids=lambda c: getattr(c, "__name__", ""))
async def test_a_look_up_with_the_database_down_says_so_within_two_seconds(
    bot_on, action, slots, message, prefix, language
):
    up, _ = await run(action, slots, message, language)
    assert up and not any(r.endswith("_unavailable") for r in up), up  # an ordinary answer while it is up
    bot_on.stop()
    down, seconds = await run(action, slots, message, language)
    assert down == [f"{prefix}_unavailable"] and seconds < 2.0, (down, seconds)
    domain = load_domain()["responses"][down[0]]
    assert {variant["condition"][0]["value"] for variant in domain} == {"zh", "en"}
    bot_on.start()
    again, _ = await run(action, slots, message, language)
    assert again == up


async def test_a_complaint_confirmed_with_the_database_down_is_queued_within_two_seconds(bot_on):
    bot_on.stop()
    events = [{"event": "active_loop", "name": "complaint_form", "timestamp": time.time()}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=FILLED, events=events, sender_id=uuid.uuid4().hex)
    started = time.monotonic()
    await ActionSubmitComplaint().run(dispatcher, tracker, load_domain())
    assert dispatcher.messages[0]["response"] == "utter_complaint_queued"
    assert time.monotonic() - started < 2.0
