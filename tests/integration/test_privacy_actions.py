"""The chat side of the personal data requests: see what is kept, ask for erasure, on a real database."""

from __future__ import annotations

import time

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import wiring
from actions.privacy import ActionAnswerPrivacyRequest, ActionStartPrivacyRequest
from bot.complaints import services
from bot.complaints.model import ERASURE_REQUESTED
from bot.complaints.spool import ComplaintSpool
from tests.conftest import load_domain, make_tracker
from tests.factories import NOW, a_draft


@pytest.fixture
def wired(uow_factory, session_factory, tmp_path):
    wiring.use(
        wiring.Dependencies(
            uow_factory=uow_factory,
            spool=ComplaintSpool(tmp_path / "spool"),
            catalog_session=session_factory,
            retention_days=730,
        )
    )
    yield
    wiring.use(None)


async def answer(slots, language="zh"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**slots, "language": language})
    events = await ActionAnswerPrivacyRequest().run(dispatcher, tracker, load_domain())
    return dispatcher.messages, events


@pytest.mark.parametrize(
    ("text", "intent", "erase"),
    [
        ("我想看看工单C20261129-0042存了我哪些信息", "ask_my_data", False),
        ("delete my complaint data", "delete_my_data", True),
    ],
)
async def test_a_request_starts_the_form_with_the_ticket_it_names(text, intent, erase):
    tracker = make_tracker(latest_message={"text": text, "intent": {"name": intent}})
    events = await ActionStartPrivacyRequest().run(CollectingDispatcher(), tracker, load_domain())
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["privacy_erase"] is erase
    assert slots["privacy_ticket"] == ("C20261129-0042" if "C2026" in text else None)


@pytest.mark.usefixtures("wired")
@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_user_sees_what_is_kept_about_their_complaint_with_the_number_masked(uow_factory, language):
    ticket = services.open_complaint(uow_factory(), a_draft(), NOW, "k", reply_days=15).ticket
    messages, _ = await answer({"privacy_ticket": ticket, "privacy_last4": "5678", "privacy_erase": False}, language)
    assert [m["response"] for m in messages] == ["utter_privacy_kept", "utter_privacy_how_to_erase"]
    kept = messages[0]
    assert kept["phone"] == "138****5678" and kept["messages"] == 2 and kept["ticket"] == ticket
    assert "730" in kept["erase_after"]  # still open: erased two years after it is closed
    with uow_factory() as uow:
        assert ERASURE_REQUESTED not in [e.action for e in uow.complaints.audit_trail(ticket)]


@pytest.mark.usefixtures("wired")
async def test_an_erasure_request_reaches_the_desk_and_wrong_digits_count_as_a_miss(uow_factory):
    ticket = services.open_complaint(uow_factory(), a_draft(), NOW, "k", reply_days=15).ticket
    messages, events = await answer({"privacy_ticket": ticket, "privacy_last4": "0000", "privacy_erase": True})
    assert [m["response"] for m in messages] == ["utter_status_not_found"]
    assert {"event": "slot", "name": "status_failures", "value": 1.0} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    messages, _ = await answer({"privacy_ticket": ticket, "privacy_last4": "5678", "privacy_erase": True})
    assert [m["response"] for m in messages] == ["utter_privacy_kept", "utter_privacy_erasure_requested"]
    with uow_factory() as uow:
        assert [e.action for e in uow.complaints.audit_trail(ticket)].count(ERASURE_REQUESTED) == 1


async def test_with_the_database_down_the_user_is_told_so_within_two_seconds(unreachable_uow_factory, tmp_path):
    wiring.use(
        wiring.Dependencies(
            uow_factory=unreachable_uow_factory,
            spool=ComplaintSpool(tmp_path / "spool"),
            catalog_session=lambda: None,  # type: ignore[arg-type,return-value]
        )
    )
    try:
        started = time.monotonic()
        messages, _ = await answer({"privacy_ticket": "C20261129-0001", "privacy_last4": "5678", "privacy_erase": True})
        assert [m["response"] for m in messages] == ["utter_privacy_unavailable"]
        assert time.monotonic() - started < 2.0
    finally:
        wiring.use(None)
