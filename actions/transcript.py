"""What the tracker says about the conversation: transcript, recent user words, FAQ topics shown."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

from bot.complaints.model import TranscriptEntry

# Intents whose words say nothing about the problem itself.
NOT_A_DESCRIPTION = {"greet", "goodbye", "thank", "affirm", "deny", "stop", "choose", "bot_challenge", "request_human"}


def current_session(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events since the latest session start (all of them when there is none)."""
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    return events[starts[-1] :] if starts else events


def intent_of(event: dict[str, Any]) -> str | None:
    """The intent NLU gave a user event."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def _when(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)


def transcript(tracker: Tracker, limit: int = 200) -> list[TranscriptEntry]:
    """The user and bot turns of the current session, oldest first (at most `limit`)."""
    entries = [
        TranscriptEntry(
            role="user" if e["event"] == "user" else "bot", text=str(e.get("text") or ""), timestamp=_when(e)
        )
        for e in current_session(tracker.events)
        if e.get("event") in {"user", "bot"} and (e.get("text") or "").strip()
    ]
    return entries[-limit:]


def recent_user_texts(tracker: Tracker, limit: int = 5) -> list[str]:
    """The user's own words of this session that may describe the problem, oldest first."""
    texts = []
    for event in current_session(tracker.events):
        if event.get("event") != "user":
            continue
        text = str(event.get("text") or "").strip()
        if text and not text.startswith("/") and intent_of(event) not in NOT_A_DESCRIPTION:
            texts.append(text)
    return texts[-limit:]


def faq_topics_shown(tracker: Tracker) -> list[str]:
    """FAQ topic keys the bot answered in this session, in order, without repeats."""
    topics: list[str] = []
    for event in current_session(tracker.events):
        if event.get("event") != "bot":
            continue
        action = str((event.get("metadata") or {}).get("utter_action") or "")
        if action.startswith("utter_faq/"):
            key = action.removeprefix("utter_faq/")
            if key not in topics:
                topics.append(key)
    return topics
