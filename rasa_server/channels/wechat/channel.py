"""Rasa input channels for a WeChat Official Account (公众号) and a WeCom (企业微信) self-built app.

Both open `/webhooks/<name>/webhook`: GET for the console's URL verification, POST for the
platform's pushes. Every push is authenticated (signature, AES safe mode, AppID / corpid)
before anything else; a refused one is logged with masked identifiers and never reaches the bot.

A message makes exactly one bot turn, whatever the platform's retries (de-duplication by
MsgId, or sender + CreateTime + Event for events, shared through Redis between processes).
Official Account: the turn gets `reply_budget_seconds` (4 s of the platform's 5); in time, its
texts are merged into the one passive reply; otherwise the push is acknowledged with
"success" and the answer follows through the customer-service API. WeCom: acknowledged at
once, answered through the API.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_server.channels.guard import refusing_internal_intents
from rasa_server.channels.language import with_language
from rasa_server.channels.wechat.api import (
    OfficialAccountClient,
    PlatformClient,
    PlatformError,
    StopSending,
    WeComClient,
    WeComKfClient,
)
from rasa_server.channels.wechat.config import (
    REDIS_ENV,
    ChannelOptions,
    ConfigError,
    OfficialAccountConfig,
    WeComConfig,
    WeComKfConfig,
)
from rasa_server.channels.wechat.messages import (
    Inbound,
    chosen,
    fixed_text,
    parse_inbound,
    passive_text_xml,
    render_turn,
    split_text,
)
from rasa_server.channels.wechat.security import (
    OfficialAccountCodec,
    Opened,
    Rejected,
    WeComCodec,
    mask,
    parse_query,
    parse_xml,
)
from rasa_server.channels.wechat.state import State, make_state

logger = logging.getLogger(__name__)

CURSOR_SECONDS = 30 * 24 * 3600
OUTCOME_SECONDS = 60  # a retry comes within ~15 s; the passive reply is kept no longer than this
LANGUAGE_SECONDS = 30 * 24 * 3600
SESSION_START = "/session_start"
REPLY_WINDOW_SECONDS = 48 * 3600  # Official Account customer-service messages

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def latest_user_message(tracker: DialogueStateTracker) -> UserUttered | None:
    return next((e for e in reversed(tracker.events) if isinstance(e, UserUttered)), None)


@dataclass
class Plan:
    """What a push asks for: a bot turn with `text`, a fixed answer `text`, or nothing."""

    kind: str  # "bot", "fixed", "ignore"
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


class WeChatInputBase(InputChannel):
    """Shared by both connectors: authentication, de-duplication, turns, rendering, sending."""

    config_class: type[OfficialAccountConfig] | type[WeComConfig] | type[WeComKfConfig]

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInputBase:
        options = ChannelOptions.from_credentials(credentials)
        try:
            config = cls.config_class.from_env(os.environ)
        except ConfigError as error:
            logger.warning("%s channel is not configured (%s): its webhook answers 503", cls.name(), error)
            return cls(None, options)
        return cls(config, options, redis_url=os.environ.get(REDIS_ENV) or None)

    def __init__(
        self,
        config: Any,
        options: ChannelOptions | None = None,
        redis_url: str | None = None,
        state: State | None = None,
    ) -> None:
        self.config = config
        self.options = options or ChannelOptions()
        self.redis_url = redis_url
        self._state = state
        self._client: PlatformClient | None = None
        self._tasks: set[asyncio.Task] = set()
        self.codec = self._codec() if config is not None else None

    # -- to be provided by the connectors
    def _codec(self) -> OfficialAccountCodec | WeComCodec:
        raise NotImplementedError

    def _make_client(self, state: State) -> PlatformClient:
        raise NotImplementedError

    def _account(self) -> str:
        raise NotImplementedError

    def _parse(self, xml: str) -> Inbound:
        return parse_inbound(xml)

    def _check_inbound(self, inbound: Inbound) -> None:
        return None

    # -- shared resources, created on the server's event loop
    @property
    def state(self) -> State:
        if self._state is None:
            self._state = make_state(self.redis_url)
            logger.info("%s: de-duplication and tokens %s", self.name(), "in Redis" if self.redis_url else "in memory")
        return self._state

    @property
    def client(self) -> PlatformClient:
        if self._client is None:
            self._client = self._make_client(self.state)
        return self._client

    def _key(self, *parts: str) -> str:
        return ":".join((self.options.redis_prefix, self.name(), self._account(), *parts))

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = 30) -> None:
        """Waits up to `timeout` for the background answers (tests; server shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks and (remaining := deadline - loop.time()) > 0:
            await asyncio.wait(list(self._tasks), timeout=remaining)

    async def close(self) -> None:
        await self.drain(10)
        if self._client is not None:
            await self._client.close()
        if self._state is not None:
            await self._state.close()

    # -- de-duplication; a failing Redis must not silence the bot: answer, and say so in the log
    async def _claim(self, key: str) -> bool:
        try:
            return await self.state.claim(key, self.options.dedup_seconds)
        except Exception as error:
            logger.error("%s: de-duplication store unavailable (%s); answering anyway", self.name(), error)
            return True

    async def _settle(self, key: str, reply: str | None) -> None:
        try:
            await self.state.settle(key, {"reply": reply}, OUTCOME_SECONDS)
        except Exception as error:
            logger.error("%s: de-duplication store unavailable (%s)", self.name(), error)

    async def _outcome(self, key: str) -> dict[str, Any] | None:
        try:
            return await self.state.outcome(key, self.options.reply_budget_seconds)
        except Exception as error:
            logger.error("%s: de-duplication store unavailable (%s)", self.name(), error)
            return None

    # -- per-user memory: numbered choices last offered, the conversation's language
    async def _remembered(self, kind: str, sender: str) -> Any:
        try:
            return await self.state.get(self._key(kind, sender))
        except Exception as error:
            logger.error("%s: state store unavailable (%s)", self.name(), error)
            return None

    async def _choices(self, sender: str) -> list[str]:
        value = await self._remembered("choices", sender)
        return [str(item) for item in value] if isinstance(value, list) else []

    async def _language(self, sender: str) -> str | None:
        value = await self._remembered("language", sender)
        return str(value) if value else None

    # -- from a push to a plan
    async def _plan(self, inbound: Inbound) -> Plan:
        metadata: dict[str, Any] = {"channel": self.name(), "msg_type": inbound.msg_type}
        if inbound.kind in ("text", "voice") and inbound.text:
            payload = chosen(inbound.text, await self._choices(inbound.sender))
            if payload is not None:
                metadata["choice"] = inbound.text.strip()
            return Plan("bot", payload or inbound.text, with_language(inbound.text, metadata))
        if inbound.kind == "voice":
            return Plan("fixed", fixed_text("voice_unrecognised", await self._language(inbound.sender)))
        if inbound.kind == "subscribe":
            return Plan("bot", SESSION_START, {**metadata, "event": "subscribe"})
        if inbound.kind == "click":
            target = self.options.menu.get(inbound.event_key)
            if target:
                return Plan("bot", target, {**metadata, "event": "click", "event_key": inbound.event_key})
            logger.warning("%s: menu key %r is not in the channel's menu table", self.name(), inbound.event_key[:64])
            return Plan("ignore")
        if inbound.kind == "unsupported":
            return Plan("fixed", fixed_text("unsupported", await self._language(inbound.sender)))
        return Plan("ignore")

    # -- a bot turn, its answer rendered for the platform
    async def _turn(self, plan: Plan, inbound: Inbound, on_new_message: OnNewMessage) -> list[str]:
        collector = CollectingOutputChannel()
        message = UserMessage(
            plan.text,
            collector,
            inbound.sender,
            input_channel=self.name(),
            message_id=inbound.message_id,
            metadata=plan.metadata,
        )
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("%s: the bot failed on a message from %s", self.name(), mask(inbound.sender))
            return [fixed_text("error", await self._language(inbound.sender))]
        return await self._rendered(inbound.sender, collector.messages)

    async def _rendered(self, sender: str, messages: list[dict[str, Any]]) -> list[str]:
        """The messages as the platform's texts; the numbered choices and the language remembered."""
        rendered = render_turn(messages)
        try:
            choices_key = self._key("choices", sender)
            if rendered.choices:
                await self.state.put(choices_key, rendered.choices, self.options.choices_seconds)
            else:
                await self.state.delete(choices_key)
            if rendered.language:
                await self.state.put(self._key("language", sender), rendered.language, LANGUAGE_SECONDS)
        except Exception:
            logger.exception("%s: could not remember the choices offered", self.name())
        return split_text(rendered.text, self.options.max_message_bytes, self.options.max_messages_per_turn)

    # -- messages outside a turn (rasa_server/channels/delivery.py): an agent's, the bot's after a hand-off
    def _may_push(self, tracker: DialogueStateTracker) -> bool:
        return True

    def _push_context(self, tracker: DialogueStateTracker) -> dict[str, Any]:
        return {}

    async def push(self, tracker: DialogueStateTracker, messages: list[dict[str, Any]]) -> bool:
        """Sends `messages` to the conversation's user through the platform's API; True if all went out."""
        if self.config is None or not self._may_push(tracker):
            return False
        parts = await self._rendered(tracker.sender_id, messages)
        sent = await self.client.send_texts(tracker.sender_id, parts, self._push_context(tracker))
        logger.info("%s: %d of %d pushed message(s) sent to %s", self.name(), sent, len(parts), mask(tracker.sender_id))
        return sent == len(parts)

    async def _send(
        self, user: str, parts: list[str], delay: float = 0.0, context: dict[str, Any] | None = None
    ) -> None:
        if not parts:
            return
        if delay:
            await asyncio.sleep(delay)
        try:
            sent = await self.client.send_texts(user, parts, context)
        except Exception:
            logger.exception("%s: sending to %s failed", self.name(), mask(user))
            return
        logger.info("%s: %d of %d message(s) sent to %s by the API", self.name(), sent, len(parts), mask(user))

    def _answer_later(self, turn: asyncio.Task, inbound: Inbound) -> None:
        async def when_done() -> None:
            parts = await turn
            await self._send(inbound.sender, parts)

        self._spawn(when_done())

    # -- HTTP
    def _reject(self, request: Request, query: dict[str, str], rejected: Rejected) -> HTTPResponse:
        logger.warning(
            "%s: request refused, HTTP %d: %s (openid=%s, ip=%s)",
            self.name(),
            rejected.status,
            rejected.reason,
            mask(query.get("openid")),
            request.remote_addr or request.ip,
        )
        return response.text("invalid request", status=rejected.status)

    def _unconfigured(self) -> HTTPResponse:
        return response.json({"error": "not_configured", "message": f"{self.name()} is not configured"}, status=503)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)
        on_new_message = refusing_internal_intents(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if self.codec is None:
                return self._unconfigured()
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if self.codec is None:
                return self._unconfigured()
            query = parse_query(request.query_string)
            try:
                echo = self.codec.verify_url(query)
            except Rejected as rejected:
                return self._reject(request, query, rejected)
            logger.info("%s: callback URL verified", self.name())
            return response.text(echo)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.codec is None:
                return self._unconfigured()
            query = parse_query(request.query_string)
            try:
                opened = self.codec.open(query, request.body)
                inbound = self._parse(opened.xml)
                self._check_inbound(inbound)
            except Rejected as rejected:
                return self._reject(request, query, rejected)
            return await self._receive(inbound, opened, on_new_message)

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.close()

        return webhook

    async def _receive(self, inbound: Inbound, opened: Opened, on_new_message: OnNewMessage) -> HTTPResponse:
        raise NotImplementedError


class WeChatOfficialAccountInput(WeChatInputBase):
    """公众号: passive reply within the budget, else "success" and the customer-service API."""

    config_class = OfficialAccountConfig
    codec: OfficialAccountCodec | None

    @classmethod
    def name(cls) -> str:
        return "wechat_oa"

    def _codec(self) -> OfficialAccountCodec:
        return OfficialAccountCodec(self.config, self.options.max_clock_skew_seconds)

    def _make_client(self, state: State) -> PlatformClient:
        return OfficialAccountClient(self.config, state, self.options.redis_prefix, self.options.token_endpoint)

    def _account(self) -> str:
        return str(self.config.app_id)

    def _may_push(self, tracker: DialogueStateTracker) -> bool:
        """The customer-service API reaches a user only within 48 hours of their last message."""
        last = latest_user_message(tracker)
        if last is None or time.time() - last.timestamp > REPLY_WINDOW_SECONDS:
            logger.info("%s: %s is outside the 48-hour reply window", self.name(), mask(tracker.sender_id))
            return False
        return True

    def _reply(self, inbound: Inbound, opened: Opened, text: str | None) -> HTTPResponse:
        if not text or self.codec is None:
            return response.text("success")
        xml = passive_text_xml(inbound.sender, inbound.recipient, text)
        return response.text(self.codec.seal(xml, opened.encrypted), content_type="application/xml")

    async def _receive(self, inbound: Inbound, opened: Opened, on_new_message: OnNewMessage) -> HTTPResponse:
        key = self._key("seen", inbound.dedup_key)
        if not await self._claim(key):
            outcome = await self._outcome(key)
            logger.info("%s: repeated push %s from %s", self.name(), inbound.dedup_key[:40], mask(inbound.sender))
            return self._reply(inbound, opened, (outcome or {}).get("reply"))
        plan = await self._plan(inbound)
        if plan.kind != "bot":
            reply = plan.text if plan.kind == "fixed" else None
            await self._settle(key, reply)
            return self._reply(inbound, opened, reply)
        turn = self._spawn(self._turn(plan, inbound, on_new_message))
        try:
            await asyncio.wait({turn}, timeout=self.options.reply_budget_seconds)
        except asyncio.CancelledError:  # the platform hung up: answer through the API
            self._answer_later(turn, inbound)
            raise
        if not turn.done():
            logger.info("%s: slow turn for %s, answering through the API", self.name(), mask(inbound.sender))
            await self._settle(key, None)
            self._answer_later(turn, inbound)
            return self._reply(inbound, opened, None)
        parts = turn.result()
        first = parts[0] if parts else None
        await self._settle(key, first)
        if len(parts) > 1:  # too long for one message: the rest follows the passive reply
            self._spawn(self._send(inbound.sender, parts[1:], delay=0.5))
        return self._reply(inbound, opened, first)


class WeComInput(WeChatInputBase):
    """企业微信 self-built app: always acknowledged at once, answered through /cgi-bin/message/send."""

    config_class = WeComConfig
    codec: WeComCodec | None

    @classmethod
    def name(cls) -> str:
        return "wecom"

    def _codec(self) -> WeComCodec:
        return WeComCodec(self.config, self.options.max_clock_skew_seconds)

    def _make_client(self, state: State) -> PlatformClient:
        return WeComClient(self.config, state, self.options.redis_prefix)

    def _account(self) -> str:
        return f"{self.config.corp_id}:{self.config.agent_id}"

    def _check_inbound(self, inbound: Inbound) -> None:
        if inbound.recipient and inbound.recipient != self.config.corp_id:
            raise Rejected(403, "message for another corpid")
        if inbound.agent_id and inbound.agent_id != str(self.config.agent_id):
            raise Rejected(403, "message for another AgentID")

    async def _receive(self, inbound: Inbound, opened: Opened, on_new_message: OnNewMessage) -> HTTPResponse:
        if not await self._claim(self._key("seen", inbound.dedup_key)):
            logger.info("%s: repeated push %s from %s", self.name(), inbound.dedup_key[:40], mask(inbound.sender))
            return response.text("")
        self._spawn(self._answer(inbound, on_new_message))
        return response.text("")

    async def _answer(self, inbound: Inbound, on_new_message: OnNewMessage) -> None:
        try:
            plan = await self._plan(inbound)
            if plan.kind == "fixed":
                await self._send(inbound.sender, [plan.text])
            elif plan.kind == "bot":
                await self._send(inbound.sender, await self._turn(plan, inbound, on_new_message))
        except Exception:
            logger.exception("%s: answering %s failed", self.name(), mask(inbound.sender))


class WeComKfInput(WeChatInputBase):
    """微信客服 (kf): external WeChat users reaching the enterprise's customer-service account.

    The callback only says that there is something new (`kf_msg_or_event`, with a Token and
    the OpenKfId); the messages are pulled with sync_msg from the stored cursor, one process
    at a time per account, and answered with send_msg. Only the customers' own messages
    (origin 3) make turns, each msgid once; the sender id is the external_userid. An
    `enter_session` event gets the welcome through send_msg_on_event.
    """

    config_class = WeComKfConfig
    codec: WeComCodec | None

    @classmethod
    def name(cls) -> str:
        return "wecom_kf"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chains: dict[str, asyncio.Task] = {}

    def _codec(self) -> WeComCodec:
        return WeComCodec(self.config, self.options.max_clock_skew_seconds)

    def _make_client(self, state: State) -> PlatformClient:
        return WeComKfClient(self.config, state, self.options.redis_prefix)

    @property
    def kf(self) -> WeComKfClient:
        client = self.client
        assert isinstance(client, WeComKfClient)
        return client

    def _account(self) -> str:
        return f"{self.config.corp_id}:kf"

    def _parse(self, xml: str) -> Inbound:
        message = parse_xml(xml)

        def field(name: str) -> str:
            value = message.get(name)
            return value.strip() if isinstance(value, str) else ""

        create_time, event, open_kfid = field("CreateTime"), field("Event").lower(), field("OpenKfId")
        if not create_time.isdigit():
            raise Rejected(400, "callback lacks CreateTime")
        kind = "kf_sync" if event == "kf_msg_or_event" and open_kfid else "ignored"
        return Inbound(
            kind=kind,
            sender=open_kfid,
            recipient=field("ToUserName"),
            create_time=create_time,
            msg_type=field("MsgType").lower(),
            dedup_key=f"kf:{open_kfid}:{create_time}:{field('Token')[:64]}",
            message_id="",
            event=event,
            event_key=field("Token"),
        )

    def _check_inbound(self, inbound: Inbound) -> None:
        if inbound.recipient and inbound.recipient != self.config.corp_id:
            raise Rejected(403, "callback for another corpid")

    def _push_context(self, tracker: DialogueStateTracker) -> dict[str, Any]:
        last = latest_user_message(tracker)
        return {"open_kfid": str(((last.metadata if last else None) or {}).get("open_kfid") or "")}

    def _may_push(self, tracker: DialogueStateTracker) -> bool:
        return bool(self._push_context(tracker)["open_kfid"])

    async def _receive(self, inbound: Inbound, opened: Opened, on_new_message: OnNewMessage) -> HTTPResponse:
        if inbound.kind == "kf_sync" and await self._claim(self._key("seen", inbound.dedup_key)):
            self._spawn(self._sync(inbound.sender, inbound.event_key, on_new_message))
        return response.text("")

    async def _sync(self, open_kfid: str, token: str, on_new_message: OnNewMessage) -> None:
        lock_key, again_key = self._key("sync-lock", open_kfid), self._key("sync-again", open_kfid)
        try:
            for _ in range(10):
                owner = await self.state.lock(lock_key, 120)
                if owner is None:  # another process is pulling: it pulls once more when done
                    await self.state.put(again_key, True, 120)
                    return
                try:
                    await self.state.delete(again_key)
                    await self._pull(open_kfid, token, on_new_message)
                finally:
                    await self.state.unlock(lock_key, owner)
                if not await self.state.get(again_key):
                    return
        except (PlatformError, StopSending) as error:
            logger.error("%s: sync_msg for %s failed: %s", self.name(), mask(open_kfid), error)
        except Exception:
            logger.exception("%s: sync_msg for %s failed", self.name(), mask(open_kfid))

    async def _pull(self, open_kfid: str, token: str, on_new_message: OnNewMessage) -> None:
        cursor_key = self._key("cursor", open_kfid)
        cursor = str(await self.state.get(cursor_key) or "")
        for _ in range(100):  # 100 pages of 1000 messages: a bound, not a limit met in practice
            result = await self.kf.sync_msg(cursor, token, open_kfid)
            for message in result.get("msg_list") or []:
                if isinstance(message, dict):
                    self._dispatch(message, on_new_message)
            cursor = str(result.get("next_cursor") or cursor)
            await self.state.put(cursor_key, cursor, CURSOR_SECONDS)
            if not result.get("has_more"):
                return

    def _dispatch(self, message: dict[str, Any], on_new_message: OnNewMessage) -> None:
        if message.get("msgtype") == "event":
            event = message.get("event") or {}
            if (
                event.get("event_type") == "enter_session"
                and event.get("welcome_code")
                and event.get("external_userid")
            ):
                self._in_order(str(event["external_userid"]), self._welcome(event, on_new_message))
            return
        if message.get("origin") != 3 or not message.get("external_userid") or not message.get("msgid"):
            return  # the servicer's, the system's, or a malformed one
        self._in_order(str(message["external_userid"]), self._answer(message, on_new_message))

    def _in_order(self, user: str, work: Coroutine[Any, Any, None]) -> None:
        """One user's messages are answered one after the other, in the order they were pulled."""
        previous = self._chains.get(user)

        async def run() -> None:
            if previous is not None:
                await asyncio.wait({previous})
            await work

        task = self._spawn(run())
        self._chains[user] = task
        task.add_done_callback(lambda done: self._chains.pop(user) if self._chains.get(user) is done else None)

    async def _answer(self, message: dict[str, Any], on_new_message: OnNewMessage) -> None:
        msgid, user = str(message["msgid"]), str(message["external_userid"])
        if not await self._claim(self._key("seen", f"kfmsg:{msgid}")):
            return
        msgtype = str(message.get("msgtype") or "")
        text = str((message.get("text") or {}).get("content") or "").strip() if msgtype == "text" else ""
        kind = "text" if text else "voice" if msgtype == "voice" else "unsupported"
        inbound = Inbound(
            kind=kind,
            sender=user,
            recipient=str(message.get("open_kfid") or ""),
            create_time=str(message.get("send_time") or ""),
            msg_type=msgtype,
            dedup_key=f"kfmsg:{msgid}",
            message_id=msgid,
            text=text[:2000],
        )
        context = {"open_kfid": inbound.recipient}
        try:
            plan = await self._plan(inbound)
            plan.metadata["open_kfid"] = inbound.recipient  # the account an agent's reply goes out from
            if plan.kind == "fixed":
                await self._send(user, [plan.text], context=context)
            elif plan.kind == "bot":
                await self._send(user, await self._turn(plan, inbound, on_new_message), context=context)
        except Exception:
            logger.exception("%s: answering %s failed", self.name(), mask(user))

    async def _welcome(self, event: dict[str, Any], on_new_message: OnNewMessage) -> None:
        user = str(event["external_userid"])
        inbound = Inbound(
            kind="subscribe",
            sender=user,
            recipient=str(event.get("open_kfid") or ""),
            create_time="",
            msg_type="event",
            dedup_key="",
            message_id=f"enter_session-{str(event['welcome_code'])[:32]}",
        )
        try:
            parts = await self._turn(Plan("bot", SESSION_START, {"channel": self.name(), "event": "enter_session"}),
                                     inbound, on_new_message)  # fmt: skip
            if parts:
                await self.kf.send_on_event(str(event["welcome_code"]), parts[0])
        except (PlatformError, StopSending) as error:
            logger.warning("%s: welcome to %s not sent: %s", self.name(), mask(user), error)
        except Exception:
            logger.exception("%s: welcoming %s failed", self.name(), mask(user))
