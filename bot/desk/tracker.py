"""Reads Rasa's SQL tracker store for the FAQ topics users found unhelpful and the messages the bot missed.

Rasa's SQLTrackerStore keeps one row per event in `events` (sender_id, type_name,
timestamp as epoch seconds, intent_name, action_name, data = the event as JSON).
Per conversation, in time order:

    user   (intent faq, parse_data.response_selector.faq ... "faq/<topic>")
    action utter_faq            → bot event: the FAQ answer ("utter_action": "utter_faq/<topic>")
    action utter_did_that_help  → bot asks; the user's next message is affirm or deny

"Not helpful" is a deny right after utter_did_that_help; "not understood" is a user
message classified nlu_fallback or out_of_scope. The store is opened read-only, and a
missing database file or events table reads as no events.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from bot.db import normalise_url
from bot.desk.redact import redact_numbers
from common import events as rasa_events

log = logging.getLogger(__name__)

FAQ_ACTION = "utter_faq"
FAQ_PREFIX = "utter_faq/"
RETRIEVAL_INTENT = "faq"
DID_THAT_HELP = "utter_did_that_help"
NOT_UNDERSTOOD = ("nlu_fallback", "out_of_scope")
# Spaces next to a Chinese character carry no meaning ("5G 没信号" is "5G没信号").
_SPACE_BY_HAN = re.compile(r"(?<=[\u3000-\u9fff\uf900-\ufaff])\s+|\s+(?=[\u3000-\u9fff\uf900-\ufaff])")
_EVENTS = text(
    "SELECT sender_id, type_name, data FROM events "
    "WHERE timestamp >= :start AND timestamp < :end AND type_name IN ('user', 'bot', 'action') "
    "ORDER BY sender_id, timestamp, id"
)


@dataclass(frozen=True)
class TrackerEvent:
    """One stored event of a conversation: its `data` is the event as Rasa wrote it (read with common.events)."""

    sender_id: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        return rasa_events.kind(self.data)

    @property
    def intent_name(self) -> str | None:
        return rasa_events.intent_of(self.data)

    @property
    def action_name(self) -> str | None:
        return rasa_events.name_of(self.data)


@dataclass
class FaqTopic:
    answers: int = 0
    asked_if_helpful: int = 0
    helpful: int = 0
    not_helpful: int = 0

    @property
    def not_helpful_rate(self) -> float | None:
        """Share of the "did that help?" answers that were no; None before anyone answered."""
        answered = self.helpful + self.not_helpful
        return self.not_helpful / answered if answered else None


@dataclass
class ConversationStats:
    faq: dict[str, FaqTopic] = field(default_factory=dict)
    not_understood: Counter[str] = field(default_factory=Counter)
    available: bool = True


class TrackerStore:
    """Read-only access to Rasa's tracker store at a SQLAlchemy URL; the engine is made on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    def events_between(self, start: datetime, end: datetime) -> Iterator[TrackerEvent]:
        """The user, bot and action events in [start, end); none when the store or its table is missing."""
        engine = self._connect()
        if engine is None:
            return
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return
            result = connection.execution_options(stream_results=True, yield_per=1000).execute(
                _EVENTS, {"start": start.timestamp(), "end": end.timestamp()}
            )
            for row in result:
                yield TrackerEvent(row.sender_id, {**rasa_events.decode(row.data), "event": row.type_name})

    def statistics(self, start: datetime, end: datetime, top: int = 20) -> ConversationStats:
        try:
            return analyse(self.events_between(start, end))
        except sa_exc.SQLAlchemyError as error:
            log.warning("tracker store unreadable (%s); conversation statistics left out", type(error).__name__)
            return ConversationStats(available=False)

    def _connect(self) -> Engine | None:
        if self._engine is None:
            url = make_url(normalise_url(self.url))
            if url.get_backend_name() == "sqlite":
                path = Path(url.database or "")
                if not url.database or not path.exists():
                    return None  # opening would create an empty database file where Rasa expects its own
                # Read-only: the desk must never change Rasa's database (not even its journal mode).
                self._engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
            else:
                self._engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def analyse(events: Iterable[TrackerEvent]) -> ConversationStats:
    """FAQ answers and feedback per topic, and the normalised texts of not-understood messages."""
    stats = ConversationStats()
    sender = None
    last_user: TrackerEvent | None = None
    last_action = last_answer = asked_about = None
    for event in events:
        if event.sender_id != sender:
            sender, last_user, last_action, last_answer, asked_about = event.sender_id, None, None, None, None
        if event.type_name == "user":
            if asked_about is not None and event.intent_name in ("affirm", "deny"):
                topic = stats.faq.setdefault(asked_about, FaqTopic())
                if event.intent_name == "deny":
                    topic.not_helpful += 1
                else:
                    topic.helpful += 1
            asked_about = None
            if event.intent_name in NOT_UNDERSTOOD:
                stats.not_understood[normalise_text(rasa_events.text_of(event.data))] += 1
            last_user = event
        elif event.type_name == "action":
            last_action = event.action_name
            if event.action_name == DID_THAT_HELP and last_answer is not None:
                stats.faq.setdefault(last_answer, FaqTopic()).asked_if_helpful += 1
                asked_about = last_answer
        elif event.type_name == "bot":
            topic_key = _answered_topic(event, last_action, last_user)
            if topic_key:
                stats.faq.setdefault(topic_key, FaqTopic()).answers += 1
                last_answer = topic_key
    del stats.not_understood[""]
    return stats


def _answered_topic(bot: TrackerEvent, last_action: str | None, last_user: TrackerEvent | None) -> str | None:
    """The FAQ topic a bot message answers: its response name, else the topic the user's message was matched to."""
    utter_action = rasa_events.utter_action_of(bot.data)
    if utter_action.startswith(FAQ_PREFIX):
        return utter_action.removeprefix(FAQ_PREFIX)
    if last_action != FAQ_ACTION or last_user is None:
        return None
    key = rasa_events.retrieval_key_of(last_user.data, RETRIEVAL_INTENT) or ""
    return key.removeprefix(f"{RETRIEVAL_INTENT}/") or None


def normalise_text(message: str) -> str:
    """Counts "5G 没信号!" and "5g没信号" together: NFKC, lower case, single spaces, no edge punctuation;
    long numbers masked, since these texts are shown to supervisors."""
    folded = _SPACE_BY_HAN.sub("", " ".join(unicodedata.normalize("NFKC", message).lower().split()))
    folded = folded.strip(" .,!?;:。，！？；：…~、\"'“”‘’()（）")
    return redact_numbers(folded)[:200]
