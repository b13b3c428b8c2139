"""What the tracker says about the conversation: transcript, recent user words, FAQ topics shown."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.complaints.model import Role, TranscriptEntry
from common import events

FAQ_PREFIX = "utter_faq/"
# Intents whose words say nothing about the problem itself.
NOT_A_DESCRIPTION = {"greet", "goodbye", "thank", "affirm", "deny", "stop", "choose", "bot_challenge", "request_human"}


def transcript(tracker: Tracker, limit: int = 200) -> list[TranscriptEntry]:
    """The user, bot and agent turns of the current session, oldest first (at most `limit`)."""
    entries = [
        TranscriptEntry(role=role_of(turn), text=turn.text, timestamp=turn.timestamp)
        for turn in events.turns(events.current_session(tracker.events))
    ]
    return entries[-limit:]


def role_of(turn: events.Turn) -> Role:
    """Who said it: the user, the bot, or an agent of the desk during a live chat (the hand-off
    endpoint marks the agent's messages with metadata {"author": "agent"})."""
    if turn.role == "bot" and turn.metadata.get("author") == "agent":
        return "agent"
    return turn.role


def recent_user_texts(tracker: Tracker, limit: int = 5) -> list[str]:
    """The user's own words of this session that may describe the problem, oldest first."""
    texts = [
        turn.text.strip()
        for turn in events.turns(events.current_session(tracker.events))
        if turn.role == "user" and not turn.text.strip().startswith("/") and turn.intent not in NOT_A_DESCRIPTION
    ]
    return texts[-limit:]


def faq_topics_shown(tracker: Tracker) -> list[str]:
    """FAQ topic keys the bot answered in this session, in order, without repeats."""
    topics: list[str] = []
    for event in events.current_session(tracker.events):
        action = events.utter_action_of(event) if events.kind(event) == events.BOT else ""
        key = action.removeprefix(FAQ_PREFIX)
        if action.startswith(FAQ_PREFIX) and key not in topics:
            topics.append(key)
    return topics
