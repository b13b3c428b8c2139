"""The complaint and status actions through a Tracker, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import status as status_actions
from actions import wiring
from actions.complaints import (
    ActionAskComplaintCategory,
    ActionAskComplaintOperator,
    ActionCancelComplaint,
    ActionStartComplaint,
    ActionSubmitComplaint,
    ValidateComplaintForm,
)
from actions.status import ActionCheckComplaintStatus, ActionStartStatusLookup
from bot.complaints.orm import ComplaintRow
from bot.complaints.services import add_note, open_complaint
from bot.complaints.spool import ComplaintSpool
from bot.complaints.unit_of_work import sqlalchemy_uow_factory
from bot.db import session_factory
from tests.conftest import load_domain, make_tracker
from tests.factories import FILLED_COMPLAINT_FORM, a_draft

DOMAIN = load_domain()


def conversation() -> list[dict]:
    now = time.time()
    return [
        {"event": "session_started", "timestamp": now - 60},
        {"event": "user", "text": "家里客厅一直没有5G信号，只有4G", "timestamp": now - 50,
         "parse_data": {"intent": {"name": "faq"}}},
        {"event": "bot", "text": "信号弱的原因…", "timestamp": now - 49,
         "metadata": {"utter_action": "utter_faq/coverage_weak_indoor"}},
        {"event": "user", "text": "/deny", "timestamp": now - 40, "parse_data": {"intent": {"name": "deny"}}},
        {"event": "active_loop", "name": "complaint_form", "timestamp": now - 39},
    ]  # fmt: skip


@pytest.fixture
def deps(database_url, tmp_path):
    dependencies = wiring.Dependencies(
        uow_factory=sqlalchemy_uow_factory(database_url),
        spool=ComplaintSpool(tmp_path / "spool"),
        catalog_session=session_factory(database_url),
    )
    wiring.use(dependencies)
    yield dependencies
    wiring.use(None)


def stored(deps, sender: str) -> list[dict]:
    """The stored complaints of one conversation, as plain dicts (the database is shared by the tests)."""
    columns = ("ticket", "category", "regulatory_class", "contact_phone", "transcript", "faq_topics_shown")
    with deps.uow_factory() as uow:
        rows = uow.session.scalars(select(ComplaintRow).where(ComplaintRow.sender_id == sender))
        return [{c: getattr(row, c) for c in columns} for row in rows]


def unique_sender() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


async def test_starting_the_form_reuses_what_the_user_already_said():
    tracker = make_tracker(events=conversation())
    _, events = await run(ActionStartComplaint(), tracker)
    assert SlotSet("complaint_description", "家里客厅一直没有5G信号，只有4G") in events
    assert events[-1] == ActiveLoop("complaint_form")


async def test_the_category_question_proposes_one_from_the_users_words_first():
    messages, _ = await run(ActionAskComplaintCategory(), make_tracker(events=conversation()))
    assert messages[0]["response"] == "utter_ask_category_suggested"
    assert messages[0]["suggested"] == "信号与覆盖"
    assert '"coverage_signal"' in messages[0]["buttons"][0]["payload"]
    assert len(messages[0]["buttons"]) == 10


@pytest.mark.parametrize(
    ("category", "asked", "not_asked"),
    [
        ("coverage_signal", "complaint_place", "complaint_handset"),
        ("speed", "complaint_place", "complaint_handset"),
        ("handset", "complaint_handset", "complaint_place"),
        ("billing", None, "complaint_place"),
    ],
)
async def test_place_and_handset_are_asked_only_when_the_category_needs_them(category, asked, not_asked):
    form = ValidateComplaintForm()
    slots = await form.required_slots(
        form.domain_slots(DOMAIN), CollectingDispatcher(), make_tracker(slots={"complaint_category": category}), DOMAIN
    )
    assert not_asked not in slots
    if asked:
        assert asked in slots
    assert slots[-2:] == ["complaint_consent", "complaint_confirmed"]


def answering(text: str, **slots):
    return make_tracker(slots=slots, latest_message={"text": text, "intent": {"name": "stop"}})


@pytest.mark.parametrize("text", ["不同意", "I don't agree", "算了", "never mind", "/deny"])
async def test_a_no_or_a_cancel_to_consent_ends_the_form_without_more_questions(text):
    form = ValidateComplaintForm()
    dispatcher = CollectingDispatcher()
    result = form.validate_complaint_consent(text, dispatcher, answering(text), DOMAIN)
    assert result["complaint_consent"] is None and result["form_cancelled"] is True
    assert dispatcher.messages[0]["response"] == "utter_complaint_cancelled"
    slots = await form.required_slots(form.domain_slots(DOMAIN), dispatcher, answering(text, **result), DOMAIN)
    assert slots == []


@pytest.mark.parametrize("slot", ["complaint_consent", "complaint_confirmed"])
@pytest.mark.parametrize("text", ["I agree", "agreed", "ok go ahead", "同意", "提交吧", "嗯", "👍"])
async def test_yes_in_words_is_yes_at_consent_and_summary_whatever_the_intent(slot, text):
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateComplaintForm(), f"validate_{slot}")(text, dispatcher, answering(text), DOMAIN)
    assert result == {slot: True, "unclear_answers": 0} and dispatcher.messages == []


async def test_an_unreadable_answer_asks_again_then_offers_to_cancel():
    form = ValidateComplaintForm()
    first, second = CollectingDispatcher(), CollectingDispatcher()
    result = form.validate_complaint_consent("how long?", first, answering("how long?"), DOMAIN)
    assert result == {"complaint_consent": None, "unclear_answers": 1}
    assert first.messages[0]["response"] == "utter_yes_no_unclear"
    again = form.validate_complaint_consent("hmm", second, answering("hmm", unclear_answers=1), DOMAIN)
    assert again == {"complaint_consent": None, "unclear_answers": 2}
    assert second.messages[0]["response"] == "utter_yes_no_unclear_offer_cancel"
    slots = await form.required_slots(form.domain_slots(DOMAIN), second, answering("hmm", **again), DOMAIN)
    assert "complaint_consent" in slots, "the question is asked again, nothing is discarded"


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("complaint_description", "算了"),
        ("complaint_phone", "cancel"),
        ("complaint_operator", "不要了"),
        ("complaint_place", "never mind"),
        ("complaint_handset", "stop"),
        ("complaint_category", "算了吧"),
    ],
)
async def test_an_explicit_cancel_at_any_step_ends_the_form(slot, text):
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateComplaintForm(), f"validate_{slot}")(text, dispatcher, answering(text), DOMAIN)
    assert result[slot] is None and result["form_cancelled"] is True
    assert dispatcher.messages[0]["response"] == "utter_complaint_cancelled"


async def test_a_description_that_mentions_stopping_is_kept():
    text = "I want them to stop charging me twice for roaming"
    result = ValidateComplaintForm().validate_complaint_description(
        text, CollectingDispatcher(), answering(text), DOMAIN
    )
    assert result == {"complaint_description": text}


@pytest.mark.parametrize(
    ("text", "key"), [("2", "china_telecom"), ("第三个", "china_unicom"), ("the last one", "china_broadnet")]
)
async def test_an_operator_typed_as_a_number_or_ordinal_is_the_offered_one(text, key):
    asked = await ActionAskComplaintOperator().run(CollectingDispatcher(), make_tracker(), DOMAIN)
    offered = asked[0]["value"]
    tracker = make_tracker(slots={"offered_choices": offered}, latest_message={"text": text})
    assert ValidateComplaintForm().validate_complaint_operator(text, CollectingDispatcher(), tracker, DOMAIN) == {
        "complaint_operator": key
    }


@pytest.mark.parametrize(
    ("typed", "expected", "reason"),
    [
        ("138 1234 5678", "13812345678", None),
        ("+86 139-1234-5678", "13912345678", None),
        ("1381234567", None, "utter_invalid_phone_wrong_length"),
        ("12812345678", None, "utter_invalid_phone_bad_prefix"),
        ("phone", None, "utter_invalid_phone_not_digits"),
    ],
)
def test_a_wrong_phone_number_is_asked_again_with_the_reason(typed, expected, reason):
    dispatcher = CollectingDispatcher()
    result = ValidateComplaintForm().validate_complaint_phone(typed, dispatcher, make_tracker(), DOMAIN)
    assert result == {"complaint_phone": expected}
    assert [m["response"] for m in dispatcher.messages] == ([reason] if reason else [])


@pytest.mark.parametrize(
    ("typed", "key"), [("移动", "china_mobile"), ("China Telecom", "china_telecom"), ("联通", "china_unicom")]
)
def test_the_operator_is_understood_in_either_language(typed, key):
    result = ValidateComplaintForm().validate_complaint_operator(typed, CollectingDispatcher(), make_tracker(), DOMAIN)
    assert result == {"complaint_operator": key}


async def test_a_confirmed_complaint_is_stored_once_with_its_transcript_even_if_submitted_twice(deps):
    sender = unique_sender()
    tracker = make_tracker(slots=FILLED_COMPLAINT_FORM, events=conversation(), sender_id=sender)
    messages, events = await run(ActionSubmitComplaint(), tracker)
    again, _ = await run(ActionSubmitComplaint(), tracker)
    rows = stored(deps, sender)
    assert len(rows) == 1
    row = rows[0]
    assert messages[0]["response"] == "utter_complaint_filed" and messages[0]["ticket"] == row["ticket"]
    assert again[0]["ticket"] == row["ticket"]
    assert row["category"] == "coverage_signal" and row["regulatory_class"] == "network_quality"
    assert [entry["role"] for entry in row["transcript"]][:2] == ["user", "bot"]
    assert row["faq_topics_shown"] == ["coverage_weak_indoor"]
    assert SlotSet("complaint_phone", None) in events


async def test_an_unreachable_database_queues_the_complaint_and_it_arrives_later(deps, tmp_path):
    down = wiring.Dependencies(
        uow_factory=sqlalchemy_uow_factory("postgresql://postgres@127.0.0.1:1/none"),
        spool=deps.spool,
        catalog_session=deps.catalog_session,
    )
    wiring.use(down)
    first, second = unique_sender(), unique_sender()
    messages, _ = await run(
        ActionSubmitComplaint(), make_tracker(slots=FILLED_COMPLAINT_FORM, events=conversation(), sender_id=first)
    )
    assert messages[0]["response"] == "utter_complaint_queued"
    assert len(deps.spool.pending()) == 1
    assert stored(deps, first) == []
    wiring.use(deps)
    # the next submission, once the database is back, files the queued one first
    await run(
        ActionSubmitComplaint(), make_tracker(slots=FILLED_COMPLAINT_FORM, events=conversation(), sender_id=second)
    )
    assert len(stored(deps, first)) == 1 and len(stored(deps, second)) == 1
    assert deps.spool.pending() == []


async def test_cancelling_stores_nothing(deps):
    sender = unique_sender()
    messages, events = await run(ActionCancelComplaint(), make_tracker(slots=FILLED_COMPLAINT_FORM, sender_id=sender))
    assert messages[0]["response"] == "utter_complaint_cancelled"
    assert ActiveLoop(None) in events
    assert stored(deps, sender) == []


def file_one(deps, created: datetime | None = None) -> str:
    created = created or datetime.now(timezone.utc)
    return open_complaint(deps.uow_factory(), a_draft(created), created, f"k-{time.time()}").ticket


async def test_the_status_look_up_shows_status_deadline_and_the_note_to_the_user(deps, monkeypatch):
    ticket = file_one(deps)
    add_note(deps.uow_factory(), ticket, "agent-li", "已联系计费部门核查", True, datetime.now(timezone.utc))
    tracker = make_tracker(slots={"status_ticket": ticket, "status_last4": "5678"})
    messages, _ = await run(ActionCheckComplaintStatus(), tracker)
    assert messages[0]["response"] == "utter_status"
    assert messages[0]["ticket"] == ticket and "已联系计费部门核查" in messages[0]["details"]
    assert len(messages) == 1, "not overdue: no appeal advice"


async def test_a_wrong_pair_reveals_nothing_and_repeated_misses_are_slowed_then_refused(deps, monkeypatch):
    ticket = file_one(deps)
    slept: list[float] = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(status_actions.asyncio, "sleep", fake_sleep)
    wrong_digits = make_tracker(slots={"status_ticket": ticket, "status_last4": "0000"})
    unknown = make_tracker(slots={"status_ticket": "C20200101-9999", "status_last4": "5678"})
    first, events = await run(ActionCheckComplaintStatus(), wrong_digits)
    second, _ = await run(ActionCheckComplaintStatus(), unknown)
    assert first == second == [{**first[0]}]
    assert first[0]["response"] == "utter_status_not_found"
    assert SlotSet("status_failures", 1.0) in events
    await run(ActionCheckComplaintStatus(), make_tracker(slots={"status_ticket": ticket, "status_last4": "0000",
                                                                "status_failures": 3}))  # fmt: skip
    assert slept[-1] > 0
    locked, _ = await run(ActionStartStatusLookup(), make_tracker(slots={"status_failures": 5}))
    assert locked[0]["response"] == "utter_status_locked"


async def test_an_overdue_complaint_comes_with_the_appeal_advice(deps):
    ticket = file_one(deps, created=datetime.now(timezone.utc) - timedelta(days=20))
    messages, _ = await run(
        ActionCheckComplaintStatus(), make_tracker(slots={"status_ticket": ticket, "status_last4": "5678"})
    )
    assert [m["response"] for m in messages] == ["utter_status", "utter_status_appeal"]


async def test_a_ticket_in_the_request_is_picked_up_and_only_the_digits_are_asked():
    tracker = make_tracker(latest_message={"text": "查一下 c20261129-0042 的进度"})
    _, events = await run(ActionStartStatusLookup(), tracker)
    assert SlotSet("status_ticket", "C20261129-0042") in events
    assert events[-1] == ActiveLoop("status_form")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("我的手机号是13812345678", "13812345678"),
        ("my number is +86 139-1234-5678", "13912345678"),
        ("手机：138 1234 5678，白天打", "13812345678"),
    ],
)
async def test_a_number_given_inside_a_sentence_is_taken_from_it(text, number):
    result = ValidateComplaintForm().validate_complaint_phone(text, CollectingDispatcher(), answering(text), DOMAIN)
    assert result == {"complaint_phone": number}


async def test_a_sentence_with_a_wrong_number_says_why():
    dispatcher = CollectingDispatcher()
    text = "我的号码是1381234"
    assert ValidateComplaintForm().validate_complaint_phone(text, dispatcher, answering(text), DOMAIN) == {
        "complaint_phone": None
    }
    assert dispatcher.messages[0]["response"] == "utter_invalid_phone_wrong_length"


async def test_a_complaint_made_after_a_live_chat_keeps_the_agents_turns_marked_as_the_agents(deps):
    sender = unique_sender()
    now = time.time()
    chat = [
        {"event": "user", "text": "转人工", "timestamp": now - 30, "parse_data": {"intent": {"name": "request_human"}}},
        {"event": "pause", "timestamp": now - 29},
        {"event": "bot", "text": "您好，我是客服007，请问哪里信号不好？", "timestamp": now - 20,
         "metadata": {"author": "agent", "agent": "客服007", "message_id": "m-1"}},
        {"event": "user", "text": "望京家里", "timestamp": now - 10, "parse_data": {"intent": {"name": "faq"}}},
        {"event": "resume", "timestamp": now - 5},
    ]  # fmt: skip
    events = [*conversation()[:-1], *chat, conversation()[-1]]
    await run(ActionSubmitComplaint(), make_tracker(slots=FILLED_COMPLAINT_FORM, events=events, sender_id=sender))
    (row,) = stored(deps, sender)
    said = [(entry["role"], entry["text"]) for entry in row["transcript"]]
    assert ("agent", "您好，我是客服007，请问哪里信号不好？") in said
    assert ("user", "望京家里") in said
    assert [role for role, _ in said].count("agent") == 1
