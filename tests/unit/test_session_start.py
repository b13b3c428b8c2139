"""The welcome at session start, in the user's language, with quick replies."""

from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from tests.conftest import make_tracker


async def run(tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    return dispatcher.messages, events


async def test_a_new_session_starts_with_a_chinese_welcome_and_four_quick_replies(domain):
    messages, events = await run(make_tracker(), domain)
    assert events[0] == SessionStarted()
    assert events[-1] == ActionExecuted("action_listen")
    assert SlotSet("language", "zh") in events
    assert "5G" in messages[0]["text"] and "投诉" in messages[0]["text"]
    assert len(messages[0]["buttons"]) == 4


async def test_the_browser_language_in_the_metadata_picks_an_english_welcome(domain):
    tracker = make_tracker(slots={"session_started_metadata": {"language": "en"}})
    messages, events = await run(tracker, domain)
    assert SlotSet("language", "en") in events
    assert messages[0]["text"].startswith("Hello")


async def test_an_unknown_metadata_language_keeps_the_conversation_language(domain):
    tracker = make_tracker(slots={"language": "en", "session_started_metadata": {"language": "fr"}})
    messages, events = await run(tracker, domain)
    assert SlotSet("language", "en") in events


async def test_other_slots_are_carried_over(domain):
    messages, events = await run(make_tracker(slots={"faq_topic": "plan_change"}), domain)
    assert SlotSet("faq_topic", "plan_change") in events


async def test_a_session_start_right_after_the_welcome_does_not_welcome_twice(domain):
    events = [
        {"event": "session_started"},
        {"event": "bot", "text": "您好！"},
        {"event": "user", "text": "/session_start", "parse_data": {"intent": {"name": "session_start"}}},
    ]
    messages, new_events = await run(make_tracker(events=events), domain)
    assert messages == [] and new_events[0] == SessionStarted()


async def test_a_conversation_opened_with_session_start_is_welcomed_once_in_rasas_event_order(domain):
    # What Rasa stores for a new tracker: the action, its welcome, then session_started.
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": "您好！"},
        {"event": "session_started"},
        {"event": "slot", "name": "language", "value": "zh"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "/session_start", "parse_data": {"intent": {"name": "session_start"}}},
    ]
    messages, new_events = await run(make_tracker(events=events), domain)
    assert messages == [] and new_events[0] == SessionStarted()


async def test_a_session_that_expired_after_a_real_conversation_welcomes_again_in_rasas_event_order(domain):
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": "您好！"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "携号转网", "parse_data": {"intent": {"name": "faq"}}},
        {"event": "bot", "text": "携号转网自2019年…"},
        {"event": "action", "name": "action_listen"},
    ]
    messages, _ = await run(make_tracker(events=events), domain)
    assert len(messages) == 1


async def test_a_session_that_expired_after_a_real_conversation_welcomes_again(domain):
    events = [
        {"event": "session_started"},
        {"event": "bot", "text": "您好！"},
        {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet"}}},
    ]
    messages, _ = await run(make_tracker(events=events), domain)
    assert len(messages) == 1


async def test_the_operator_of_the_website_that_embeds_the_chat_becomes_the_default_for_look_ups(domain):
    tracker = make_tracker(slots={"session_started_metadata": {"language": "zh", "operator": "china_telecom"}})
    messages, events = await run(tracker, domain)
    assert SlotSet("operator", "china_telecom") in events


async def test_an_operator_the_user_named_is_kept_and_an_unknown_site_operator_is_ignored(domain):
    named = make_tracker(slots={"operator": "中国移动", "session_started_metadata": {"operator": "china_unicom"}})
    assert SlotSet("operator", "china_unicom") not in (await run(named, domain))[1]
    unknown = make_tracker(slots={"session_started_metadata": {"operator": "<script>"}})
    assert not any(e.get("name") == "operator" for e in (await run(unknown, domain))[1])


async def test_a_new_session_during_a_live_chat_stays_with_the_agent_and_is_not_welcomed(domain):
    # handed over to a person, then the user was silent past the session's expiry
    tracker = make_tracker(slots={"faq_topic": "plan_change"}, paused=True)
    messages, events = await run(tracker, domain)
    assert messages == []
    assert ConversationPaused() in events and events[0] == SessionStarted()
    assert SlotSet("faq_topic", "plan_change") in events
