"""What a WeChat / WeCom push means for the bot, and how the bot's turn is written back.

No I/O here: parsing of the decrypted message XML, the bot's messages rendered as one
text with numbered choices, splitting to the platforms' byte limits, and the passive-reply XML.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rasa_server.channels.wechat.security import Rejected, parse_xml
from rasa_server.messages import say

MAX_SENDER_LENGTH = 128
MAX_TEXT_CHARS = 2000


def fixed_text(key: str, language: str | None) -> str:
    """A text the channel itself answers with (rasa_server.messages `wechat.<key>`), in the conversation's
    language; in both when it is not known."""
    return say(f"wechat.{key}", language)


@dataclass(frozen=True)
class Inbound:
    """One decrypted push. `kind`: text, voice, subscribe, click, ignored, unsupported."""

    kind: str
    sender: str
    recipient: str
    create_time: str
    msg_type: str
    dedup_key: str
    message_id: str
    text: str = ""
    event: str = ""
    event_key: str = ""
    agent_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _field(message: dict[str, Any], name: str) -> str:
    value = message.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_inbound(xml: str) -> Inbound:
    """The decrypted message; Rejected(400) when it lacks what every push has."""
    message = parse_xml(xml)
    sender = _field(message, "FromUserName")
    msg_type = _field(message, "MsgType").lower()
    create_time = _field(message, "CreateTime")
    if not sender or len(sender) > MAX_SENDER_LENGTH or not msg_type or not create_time.isdigit():
        raise Rejected(400, "message lacks FromUserName, MsgType or CreateTime")
    msg_id = _field(message, "MsgId") or _field(message, "MsgID")
    event = _field(message, "Event").lower()
    common: dict[str, Any] = {
        "sender": sender,
        "recipient": _field(message, "ToUserName"),
        "create_time": create_time,
        "msg_type": msg_type,
        "agent_id": _field(message, "AgentID"),
        "raw": message,
    }
    if msg_type == "event":
        # Events carry no MsgId: the platform's documented de-duplication key.
        key = f"{sender}:{create_time}:{event}"
        common.update(dedup_key=f"event:{key}", message_id=f"{event}-{create_time}", event=event)
        event_key = _field(message, "EventKey")
        if event == "subscribe":
            return Inbound(kind="subscribe", event_key=event_key, **common)
        if event == "click":
            return Inbound(kind="click", event_key=event_key, **common)
        return Inbound(kind="ignored", event_key=event_key, **common)
    if not msg_id.isdigit():
        raise Rejected(400, f"{msg_type} message without a MsgId")
    common.update(dedup_key=f"msg:{msg_id}", message_id=msg_id)
    if msg_type == "text":
        text = _field(message, "Content")
        if not text:
            return Inbound(kind="ignored", **common)
        return Inbound(kind="text", text=text[:MAX_TEXT_CHARS], **common)
    if msg_type == "voice":
        return Inbound(kind="voice", text=_field(message, "Recognition")[:MAX_TEXT_CHARS], **common)
    return Inbound(kind="unsupported", **common)


# --------------------------------------------------------------------------- rendering


def language_of(text: str) -> str:
    """zh when the text has Han characters, else en (the bot answers in one language per turn)."""
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


@dataclass
class Rendered:
    text: str
    choices: list[str]
    language: str | None


def render_turn(messages: list[dict[str, Any]]) -> Rendered:
    """A turn's messages as one text; buttons and quick replies become numbered choices."""
    parts: list[str] = []
    choices: list[str] = []
    language: str | None = None
    for message in messages:
        lines: list[str] = []
        if text := str(message.get("text") or "").strip():
            lines.append(text)
            language = language_of(text)  # the last text's: a welcome may precede the answer
        if image := message.get("image"):
            lines.append(str(image))
        for button in message.get("buttons") or message.get("quick_replies") or []:
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or button.get("url") or title).strip()
            if not title:
                continue
            choices.append(payload)
            lines.append(f"{len(choices)}. {title}")
        if lines:
            parts.append("\n".join(lines))
    text = "\n\n".join(parts)
    if choices:
        text += "\n" + say("wechat.choose_hint", language or "zh")
    return Rendered(text=text, choices=choices, language=language)


CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.。、)）]?\s*$")


def chosen(text: str, choices: list[str]) -> str | None:
    """The payload of choice N when the user answered just the number N of the last offer."""
    match = CHOICE.match(unicodedata.normalize("NFKC", text))
    if not match or not choices:
        return None
    number = int(match.group(1))
    return choices[number - 1] if 1 <= number <= len(choices) else None


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> tuple[str, str]:
    """The longest head of `text` within `limit` bytes, cut at a paragraph, line, sentence or word."""
    head = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    for separators in (("\n\n",), ("\n",), ("。", "！", "？", "；", ". ", "! ", "? ", "; "), ("，", ", ", " ")):
        position = max(head.rfind(separator) + len(separator) for separator in separators)
        if position > len(head) // 3 and position > max(len(s) for s in separators):
            return head[:position].rstrip(), text[position:].lstrip()
    return head, text[len(head) :]


def split_text(text: str, max_bytes: int = 2048, max_parts: int = 5) -> list[str]:
    """Messages of at most `max_bytes` UTF-8 bytes, split where a reader would; past
    `max_parts` the last one is trimmed and ends with an ellipsis."""
    text = text.strip()
    parts: list[str] = []
    while text and len(parts) < max_parts:
        if _utf8_len(text) <= max_bytes:
            parts.append(text)
            text = ""
            break
        head, text = _cut(text, max_bytes)
        parts.append(head)
    if text:
        ellipsis = "…"
        last = parts[-1]
        while _utf8_len(last + ellipsis) > max_bytes:
            last = _cut(last, _utf8_len(last) - len(ellipsis.encode()))[0]
        parts[-1] = last.rstrip() + ellipsis
    return parts


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def passive_text_xml(to_user: str, from_user: str, content: str, create_time: int | None = None) -> str:
    """The passive text reply (one message), before encryption."""
    created = create_time if create_time is not None else int(time.time())
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content></xml>"
    )
