"""The live inbox's composition: the hand-off services on the desk's database, the client of the Rasa
server, the push hub and the broker's health; what the API routes and the background loops call."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.desk.bootstrap import Desk
from bot.desk.live import BrokerHealth, LiveHub, chat_out, history, message_out
from bot.handoff import services
from bot.handoff.model import ChatStatus, ChatView, LiveChat, PresenceStatus
from bot.handoff.rasa_client import RasaHandoffClient, RasaUnreachable
from bot.handoff.unit_of_work import SqlAlchemyUnitOfWork

log = logging.getLogger(__name__)


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
            "broker": self.health.as_dict(),
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
