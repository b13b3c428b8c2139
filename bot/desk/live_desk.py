"""The live inbox's composition: the hand-off services on the desk's database, the client of the Rasa
server, the push hub and the broker's health; what the API routes and the background loops call."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.complaints import services as complaint_services
from bot.complaints.categories import CATEGORIES, suggest_category
from bot.complaints.errors import InvalidPhone
from bot.complaints.model import ComplaintDraft, Role, TranscriptEntry, mask_phone, normalise_mainland_mobile
from bot.desk.bootstrap import Desk
from bot.desk.live import BrokerHealth, LiveHub, chat_out, history, message_out, raw_history
from bot.desk.orm import StateRow
from bot.handoff import services
from bot.handoff.errors import InvalidRequest, NotHoldingChat
from bot.handoff.model import ChatStatus, ChatView, LiveChat, PresenceStatus
from bot.handoff.rasa_client import RasaHandoffClient, RasaUnreachable
from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork
from common.redact import redact_numbers

log = logging.getLogger(__name__)
# desk_state row present while the event broker's consumer cannot reach the broker (since when).
BROKER_DOWN = "event_broker_down"


@dataclass
class LiveDesk:
    desk: Desk
    rasa: RasaHandoffClient
    policy: services.Policy
    hub: LiveHub = field(default_factory=LiveHub)
    health: BrokerHealth = field(default_factory=BrokerHealth)

    @classmethod
    def of(cls, desk: Desk, rasa: RasaHandoffClient | None = None) -> LiveDesk:
        settings = desk.settings
        client = rasa or RasaHandoffClient(settings.rasa_base_url, settings.handoff_secret)
        return cls(desk, client, services.Policy.from_settings(settings))

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.desk.sessions)

    def now(self) -> datetime:
        return self.desk.clock()

    # what the console shows
    def inbox(self, agent: str) -> dict[str, Any]:
        presence = services.presence_of(self.uow(), agent)
        queue = services.waiting_queue(self.uow())
        mine = services.chats_of(self.uow(), agent)
        return {
            "presence": {"status": presence.status.value, "max_chats": presence.max_chats},
            "queue": [self._out(view) for view in queue],
            "mine": [self._out(view) for view in mine],
            "broker": self.broker_status(),
            "hours": str(self.policy.hours),
            "open_now": self.policy.hours.is_open(self.now()),
        }

    def chat(self, chat_id: int) -> dict[str, Any]:
        return self._out(services.chat_detail(self.uow(), chat_id))

    def _out(self, view: ChatView) -> dict[str, Any]:
        with self.desk.sessions() as session:
            earlier = history(session, view.chat.conversation_id, view.chat.requested_at)
        return chat_out(view, earlier)

    # what an agent does
    def set_presence(self, agent: str, status: PresenceStatus, max_chats: int | None) -> None:
        services.set_presence(self.uow(), agent=agent, status=status, max_chats=max_chats, now=self.now())
        self.hub.notify()

    def accept(self, agent: str, chat_id: int, label: str) -> dict[str, Any]:
        chat = services.accept(self.uow(), chat_id=chat_id, agent=agent, label=label, now=self.now())
        self.hub.notify()
        self._tell_rasa("joined", chat, lambda: self.rasa.joined(chat.conversation_id, chat.agent_label or agent))
        return self.chat(chat_id)

    def send(self, agent: str, chat_id: int, text: str, faq_topic: str | None = None) -> dict[str, Any]:
        chat, message = services.post_agent_message(
            self.uow(), chat_id=chat_id, agent=agent, text=text, now=self.now(), faq_topic=faq_topic
        )
        label = chat.agent_label or agent
        delivered = self._tell_rasa(
            "message", chat, lambda: self.rasa.message(chat.conversation_id, label, text, message.id)
        )
        services.mark_delivered(self.uow(), message.id, bool(delivered))
        self.hub.notify()
        return {**message_out(message), "delivered": bool(delivered)}

    def end(self, agent: str, chat_id: int) -> dict[str, Any]:
        chat = services.end_chat(self.uow(), chat_id=chat_id, agent=agent, now=self.now())
        self.hub.notify()
        self._tell_rasa("end", chat, lambda: self.rasa.end(chat.conversation_id, "agent"))
        return self.chat(chat_id)

    def complaint_draft(self, agent: str, chat_id: int) -> dict[str, Any]:
        """The complaint form pre-filled from the chat: the user's words, a suggested category, the number they
        wrote (masked here; the record gets it in full)."""
        view, turns = self._held_view(agent, chat_id)
        words = user_words(view, turns)
        description = redact_numbers("\n".join(words))[:2000]
        phone = phone_in(words)
        language = view.chat.language
        return {
            "description": description,
            "category": suggest_category(" ".join(words), language) or "other",
            "phone_masked": mask_phone(phone) if phone else None,
            "categories": [{"key": key, "label": f"{c.labels.zh} {c.labels.en}"} for key, c in CATEGORIES.items()],
        }

    def make_complaint(
        self, agent: str, chat_id: int, *, category: str, description: str, phone: str | None, consented: bool
    ) -> str:
        """Files the complaint made from the chat (once per chat) and links it to the chat; the ticket."""
        if not consented:
            raise InvalidRequest("the user's consent to record their contact details is needed")
        view, turns = self._held_view(agent, chat_id)
        number = phone or phone_in(user_words(view, turns))
        if not number:
            raise InvalidRequest("no phone number: ask the user for one")
        chat = view.chat
        draft = ComplaintDraft(
            channel=chat.channel,
            sender_id=chat.conversation_id,
            language="en" if chat.language == "en" else "zh",
            category=category,
            description=description.strip() or "\n".join(user_words(view, turns)),
            contact_phone=number,
            operator=str(chat.context.get("operator") or self.desk.settings.default_operator),
            consent_given_at=self.now(),
            transcript=transcript_of(view, turns),
            faq_topics_shown=[str(t) for t in chat.context.get("faq_topics") or []],
        )
        complaint = complaint_services.open_complaint(self.desk.uow(), draft, self.now(), f"live-chat-{chat_id}")
        services.attach_complaint(self.uow(), chat_id=chat_id, agent=agent, ticket=complaint.ticket, now=self.now())
        self.hub.notify()
        return complaint.ticket

    def _held_view(self, agent: str, chat_id: int) -> tuple[ChatView, list[dict[str, Any]]]:
        view = services.chat_detail(self.uow(), chat_id)
        if view.chat.agent != agent:
            raise NotHoldingChat(chat_id)
        with self.desk.sessions() as session:
            return view, raw_history(session, view.chat.conversation_id, view.chat.requested_at)

    # the event broker's state, for this process's consoles and (through desk_state) the other processes'
    def broker_up(self) -> bool:
        changed = self.health.up(self.now())
        if changed:
            self._remember_outage(None)
        return changed

    def broker_down(self, error: str) -> bool:
        changed = self.health.down(self.now(), error)
        if changed:
            self._remember_outage(self.now())
        return changed

    def broker_status(self) -> dict[str, Any]:
        """This process's consumer, or, when the consumer runs elsewhere (desk-worker), what it recorded."""
        if self.health.kind != "none":
            return self.health.as_dict()
        try:
            with self.desk.sessions() as session:
                row = session.get(StateRow, BROKER_DOWN)
        except SQLAlchemyError:
            return {"kind": "elsewhere", "connected": None, "since": None, "last_error": "state unreadable"}
        since = row.at.isoformat() if row else None
        return {"kind": "elsewhere", "connected": row is None, "since": since, "last_error": None}

    def _remember_outage(self, since: datetime | None) -> None:
        try:
            with self.desk.sessions() as session, session.begin():
                row = session.get(StateRow, BROKER_DOWN)
                if since is None and row is not None:
                    session.delete(row)
                elif since is not None and row is None:
                    session.add(StateRow(name=BROKER_DOWN, at=since))
        except SQLAlchemyError as error:
            log.warning("event broker state not recorded (%s)", type(error).__name__)

    # what the background loops do
    def expire_waiting(self) -> list[LiveChat]:
        expired = services.expire_waiting(self.uow(), now=self.now(), timeout=self.policy.accept_timeout)
        for chat in expired:
            log.info("live chat %s: no agent accepted within %s", chat.id, self.policy.accept_timeout)
            self._tell_rasa("unavailable", chat, lambda chat=chat: self.rasa.unavailable(chat.conversation_id))
        if expired:
            self.hub.notify()
        return expired

    def user_ended(self, chat: LiveChat) -> None:
        """The user said goodbye in the chat (seen by the consumer): the bot takes over again."""
        if chat.status is ChatStatus.ENDED:
            self._tell_rasa("end", chat, lambda: self.rasa.end(chat.conversation_id, "user"))

    def _tell_rasa(self, verb: str, chat: LiveChat, call: Any) -> bool | None:
        """Whether the user was reached; None when the Rasa server did not take the call (logged)."""
        try:
            return bool(call())
        except RasaUnreachable as error:
            log.warning("live chat %s: %s", chat.id, error)
            return None


# The complaint made from a chat, pre-filled from it.
_PHONE_LIKE = re.compile(r"(?:\+?86[\s-]?)?1[3-9](?:[\s-]?\d){9}")


def user_words(view: ChatView, earlier: list[dict[str, Any]]) -> list[str]:
    return [t["text"] for t in earlier if t["author"] == "user"] + [m.text for m in view.messages if m.author == "user"]


def phone_in(texts: list[str]) -> str | None:
    """The last mainland mobile number the user wrote in the conversation, if any."""
    for text in reversed(texts):
        for match in reversed(_PHONE_LIKE.findall(text)):
            try:
                return normalise_mainland_mobile(match)
            except InvalidPhone:
                continue
    return None


def transcript_of(view: ChatView, turns: list[dict[str, Any]]) -> list[TranscriptEntry]:
    """The conversation for the complaint record: the turns with the bot, then the live chat, agents marked."""
    entries = [TranscriptEntry(role=t["author"], text=t["text"], timestamp=t["at"]) for t in turns]
    for message in view.messages:
        if message.author in ("user", "agent"):
            role: Role = "agent" if message.author == "agent" else "user"
            entries.append(TranscriptEntry(role=role, text=message.text, timestamp=message.at))
    return entries
