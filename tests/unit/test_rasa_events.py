"""The one reader of Rasa's event dictionaries (common.events), on events shaped as Rasa 3.6 writes them."""

from __future__ import annotations

from datetime import datetime, timezone

from common.events import (
    current_session,
    decode,
    intent_of,
    latest_language,
    latest_slot,
    retrieval_key_of,
    timestamp_of,
    turns,
    utter_action_of,
)

T0 = 1_700_000_000.0


def user(text: str, intent: str | None, at: float = T0, **metadata: str) -> dict:
    parse = {"intent": {"name": intent, "confidence": 0.9}} if intent else {}
    return {"event": "user", "timestamp": at, "text": text, "parse_data": parse, "metadata": metadata}


def bot(text: str, utter_action: str = "", at: float = T0) -> dict:
    return {"event": "bot", "timestamp": at, "text": text, "data": {}, "metadata": {"utter_action": utter_action}}


def test_turns_are_the_user_and_bot_events_with_words_in_order_with_their_intent_and_utc_time():
    events = [
        {"event": "action", "name": "action_listen"},
        user("5G没信号", "report_problem", T0),
        {"event": "slot", "name": "language", "value": "zh"},
        bot("很抱歉……", "utter_ask_place", T0 + 1),
        bot("   ", at=T0 + 2),
        user("", None, T0 + 3),
    ]
    got = list(turns(events))
    assert [(t.role, t.text, t.intent) for t in got] == [
        ("user", "5G没信号", "report_problem"),
        ("bot", "很抱歉……", None),
    ]
    assert got[0].timestamp == datetime.fromtimestamp(T0, tz=timezone.utc)
    assert got[1].metadata == {"utter_action": "utter_ask_place"}


def test_the_current_session_starts_at_the_latest_session_start_or_is_everything_without_one():
    old, new = user("hi", "greet"), user("bill", "ask_bill")
    events = [{"event": "session_started"}, old, {"event": "session_started"}, new]
    assert current_session(events) == [{"event": "session_started"}, new]
    assert current_session([old, new]) == [old, new]


def test_malformed_or_missing_fields_read_as_empty_not_as_errors():
    broken = {"event": "user", "timestamp": "soon", "parse_data": "x", "metadata": None}
    assert intent_of(broken) is None and utter_action_of(broken) == ""
    assert timestamp_of(broken) == datetime.fromtimestamp(0, tz=timezone.utc)
    assert retrieval_key_of(broken, "faq") is None
    assert decode("not json") == {} and decode("[1]") == {} and decode(None) == {}
    assert decode('{"event": "bot"}') == {"event": "bot"}


def test_the_response_selector_key_is_read_from_the_retrieval_intent_or_the_default_selector():
    chosen = {"response": {"intent_response_key": "faq/plan_change"}}
    assert retrieval_key_of({"parse_data": {"response_selector": {"faq": chosen}}}, "faq") == "faq/plan_change"
    assert retrieval_key_of({"parse_data": {"response_selector": {"default": chosen}}}, "faq") == "faq/plan_change"


def test_the_latest_language_is_the_later_of_the_language_slot_and_a_user_message_language():
    events = [
        user("你好", "greet", language="zh"),
        {"event": "slot", "name": "language", "value": "zh"},
        user("hello", "greet", language="en"),
        {"event": "slot", "name": "other", "value": "x"},
    ]
    assert latest_language(events) == "en"
    assert latest_language(events[:2]) == "zh"
    assert latest_language([user("👍", None, language="fr")]) is None


def test_a_slot_reads_as_its_latest_value_and_the_default_when_never_set():
    events = [
        {"event": "slot", "name": "operator", "value": "cmcc"},
        {"event": "slot", "name": "operator", "value": None},
    ]
    assert latest_slot(events, "operator", "x") is None
    assert latest_slot(events[:1], "operator") == "cmcc"
    assert latest_slot([], "operator", "unset") == "unset"
