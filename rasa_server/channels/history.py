"""What the web chat shows again after a reload: the current session's messages, from the tracker.

Kept free of web-framework imports: it reads event dictionaries (Rasa's `Event.as_dict()`) with
common.events.
Only messages are returned (never slots, intents, entities or action names), and only for
a conversation that came through the web chat, so a session id cannot be used to read a
REST or WeChat conversation.
"""

from __future__ import annotations

from typing import Any

from common.events import BOT, SESSION_STARTED, SLOT, USER, is_action, kind, metadata_of, name_of, text_of

MAX_HISTORY = 100
WEB_CHANNEL = "socketio"
# Payloads the widget sends that are not words of the user's (the session opening).
HIDDEN_PAYLOADS = {"/session_start"}


def is_web_conversation(events: list[dict[str, Any]]) -> bool:
    """True when every user message of the conversation came through the web chat channel."""
    channels = {e.get("input_channel") for e in events if kind(e) == USER}
    return channels <= {WEB_CHANNEL}


HOUSEKEEPING = {SLOT, "user_featurization", SESSION_STARTED}


def _is_session_start_action(event: dict[str, Any]) -> bool:
    return is_action(event) and name_of(event) in {"action_session_start", "action_listen"}


def _welcome_start(events: list[dict[str, Any]], index: int) -> int:
    """From a `session_started` back over the welcome and `action_session_start` logged before it."""
    while index > 0 and (kind(events[index - 1]) == BOT or _is_session_start_action(events[index - 1])):
        if is_action(events[index - 1], "action_listen"):
            break
        index -= 1
    return index


def current_session(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events of the latest session (a session that expired is not shown again).

    Rasa logs `action_session_start`, then its welcome, then `session_started`, so the welcome just
    before the latest session start belongs to it. A conversation opened with `/session_start` starts
    two sessions back to back (the first holds only the welcome): both are the conversation shown.
    """
    starts = [i for i, e in enumerate(events) if kind(e) == SESSION_STARTED]
    if not starts:
        return events
    begin = _welcome_start(events, starts[-1])
    while begin > 0:
        k, opened = begin - 1, False
        while k > 0 and (
            kind(events[k]) in HOUSEKEEPING - {SESSION_STARTED}
            or _is_session_start_action(events[k])
            or (kind(events[k]) == USER and text_of(events[k]) in HIDDEN_PAYLOADS)
        ):
            opened = opened or kind(events[k]) == USER
            k -= 1
        if not (opened and kind(events[k]) == SESSION_STARTED):
            break
        begin = _welcome_start(events, k)
    return events[begin:]


def user_message(event: dict[str, Any]) -> dict[str, Any] | None:
    text = text_of(event)
    shown = metadata_of(event).get("shown")
    if text in HIDDEN_PAYLOADS:
        return None
    if isinstance(shown, str) and shown.strip():
        text = shown
    elif text.startswith("/"):  # an intent payload nobody typed, without the button's title
        return None
    # The id lets the widget drop a message it was still waiting to send from its outbox.
    return {"sender": "user", "text": text, "id": event.get("message_id")}


def bot_messages(event: dict[str, Any]) -> list[dict[str, Any]]:
    """A bot utterance as the socket.io channel sent it: text split at blank lines, buttons on the last part."""
    data = event.get("data") or {}
    text = text_of(event).strip()
    buttons = data.get("buttons") or data.get("quick_replies") or []
    parts: list[dict[str, Any]] = [{"sender": "bot", "text": part} for part in text.split("\n\n")] if text else []
    if buttons:
        if not parts:
            parts.append({"sender": "bot", "text": ""})
        parts[-1]["quick_replies"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
            if isinstance(b, dict)
        ]
    metadata = event.get("metadata") or {}
    if metadata.get("author") == "agent":  # a person of the desk, during a live chat
        for part in parts:
            part["metadata"] = {"author": "agent", "agent": str(metadata.get("agent") or "")}
    if data.get("attachment"):
        parts.append({"sender": "bot", "attachment": data["attachment"]})
    if data.get("elements"):
        for element in data["elements"]:
            payload = {"template_type": "generic", "elements": element}
            parts.append({"sender": "bot", "attachment": {"type": "template", "payload": payload}})
    return parts


def history_messages(events: list[dict[str, Any]], limit: int = MAX_HISTORY) -> list[dict[str, Any]]:
    """The current session's user and bot messages, oldest first, at most `limit` (the latest)."""
    if not is_web_conversation(events):
        return []
    messages: list[dict[str, Any]] = []
    for event in current_session(events):
        if kind(event) == USER:
            message = user_message(event)
            if message:
                messages.append(message)
        elif kind(event) == BOT:
            messages.extend(bot_messages(event))
    return messages[-limit:]
