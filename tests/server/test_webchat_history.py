"""What the web chat shows again after a reload, from tracker events in the order Rasa stores them."""

from rasa_server.channels.history import history_messages


def session(welcome: str, *turns: dict) -> list[dict]:
    """`action_session_start` logs itself, then its welcome, then `session_started` (Rasa's order)."""
    return [
        {"event": "user", "text": "/session_start", "input_channel": "socketio"},
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": welcome, "data": {"buttons": [{"title": "5G覆盖", "payload": "怎么查5G覆盖"}]}},
        {"event": "session_started"},
        {"event": "slot", "name": "language", "value": "zh"},
        {"event": "action", "name": "action_listen"},
        *turns,
    ]


def user(text: str, shown: str | None = None, channel: str = "socketio") -> dict:
    metadata = {"language": "zh", **({"shown": shown} if shown else {})}
    return {"event": "user", "text": text, "input_channel": channel, "message_id": f"id-{text}", "metadata": metadata}


def bot(text: str) -> dict:
    return {"event": "bot", "text": text, "data": {}}


def test_the_current_session_is_shown_from_its_welcome_with_button_titles_and_nothing_else():
    events = session(
        "您好！",
        user("怎么查5G覆盖", shown="5G覆盖"),
        {"event": "slot", "name": "faq_topic", "value": "coverage_check_area"},
        bot("可在运营商App查询。\n\n还有其他问题吗？"),
    )
    assert history_messages(events) == [
        {"sender": "bot", "text": "您好！", "quick_replies": [{"title": "5G覆盖", "payload": "怎么查5G覆盖"}]},
        {"sender": "user", "text": "5G覆盖", "id": "id-怎么查5G覆盖"},
        {"sender": "bot", "text": "可在运营商App查询。"},
        {"sender": "bot", "text": "还有其他问题吗？"},
    ]


def test_an_expired_session_is_not_shown_again():
    events = session("您好！", user("旧问题"), bot("旧回答")) + session("欢迎回来", user("新问题"), bot("新回答"))
    assert [m["text"] for m in history_messages(events)] == ["欢迎回来", "新问题", "新回答"]


def test_a_conversation_that_came_through_another_channel_is_never_returned():
    events = session("您好！", user("我的手机号13800138000", channel="rest"), bot("收到"))
    assert history_messages(events) == []


def test_intent_payloads_nobody_typed_are_hidden_and_the_latest_messages_are_kept():
    events = session("hi", user("/request_human"), *[bot(f"m{i}") for i in range(150)])
    shown = history_messages(events, limit=100)
    assert len(shown) == 100 and shown[-1]["text"] == "m149"
    assert all(m["sender"] == "bot" for m in shown)


def test_a_conversation_opened_with_session_start_shows_its_welcome_once_as_rasa_stores_it():
    # Two session starts back to back, as the tracker of a new web conversation holds them.
    events = [
        {"event": "slot", "name": "session_started_metadata", "value": {"language": "zh"}},
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": "您好！", "data": {}},
        {"event": "session_started"},
        {"event": "slot", "name": "language", "value": "zh"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "/session_start", "input_channel": "socketio", "message_id": "a"},
        {"event": "user_featurization"},
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "slot", "name": "language", "value": "zh"},
        {"event": "action", "name": "action_listen"},
        user("携号转网"),
        bot("携号转网自2019年…"),
    ]
    assert [m["text"] for m in history_messages(events)] == ["您好！", "携号转网", "携号转网自2019年…"]


def test_an_agents_messages_are_shown_again_as_the_agents():
    agent = {"author": "agent", "agent": "客服007", "message_id": "m-1"}
    events = session("您好！", user("转人工"), {"event": "pause"}, {**bot("您好，我是客服007"), "metadata": agent})
    assert history_messages(events)[-1] == {
        "sender": "bot",
        "text": "您好，我是客服007",
        "metadata": {"author": "agent", "agent": "客服007"},
    }
