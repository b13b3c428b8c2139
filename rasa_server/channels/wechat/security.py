"""Request authentication for the WeChat channels: signatures, AES decryption, identity checks.

All cryptography is wechatpy's (`wechatpy.crypto`, `wechatpy.work.crypto`, `wechatpy.utils`);
this module only decides which checks apply and turns every failure into a `Rejected`
with an HTTP status, so that nothing unauthenticated reaches the bot.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner
from wechatpy.work.crypto import WeChatCrypto as WeComCrypto
from wechatpy.work.exceptions import InvalidCorpIdException

from rasa_server.channels.wechat.config import OfficialAccountConfig, WeComConfig, WeComKfConfig

MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_VALUE = 1024


class Rejected(Exception):
    """A request refused before the bot sees it; `reason` is for the log, never shown."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def mask(identifier: object) -> str:
    """OpenIDs, UserIDs, AppIDs and corpids in logs: the first 4 characters and ****."""
    text = str(identifier or "")
    if not text:
        return "-"
    return text[:4] + "****" if len(text) > 6 else "****"


def parse_query(raw: str) -> dict[str, str]:
    """The query string with '+' kept as '+'.

    Sanic's `request.args` uses `parse_qs`, which turns '+' into a space; a base64 value
    (WeCom's `echostr`) whose '+' was not percent-encoded would then fail to verify. None of
    the platforms' parameters contains a space, so '+' is always literal here.
    """
    values: dict[str, str] = {}
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = unquote(name)
        if name not in values:
            values[name] = unquote(value)
    return values


def signature_of(*parts: str) -> str:
    """sha1 over the sorted parts (wechatpy's signer)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def _params(query: dict[str, str], *names: str) -> list[str]:
    values = []
    for name in names:
        value = query.get(name, "")
        if not value or len(value) > MAX_QUERY_VALUE:
            raise Rejected(400, f"missing or over-long query parameter {name!r}")
        values.append(value)
    return values


def check_timestamp(timestamp: str, max_skew: int, now: float | None = None) -> None:
    if not timestamp.isdigit():
        raise Rejected(400, "timestamp is not a number")
    if max_skew and abs((now if now is not None else time.time()) - int(timestamp)) > max_skew:
        raise Rejected(403, "timestamp outside the allowed clock skew (replay?)")


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """An XML body's <xml> element as a dict; Rejected(400) for anything else."""
    if isinstance(body, bytes):
        if len(body) > MAX_BODY_BYTES:
            raise Rejected(413, "body too large")
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected(400, "body is not UTF-8") from None
    if not body.strip():
        raise Rejected(400, "empty body")
    try:
        document = xmltodict.parse(body, disable_entities=True)
    except Exception:  # expat errors, entity declarations
        raise Rejected(400, "body is not well-formed XML") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise Rejected(400, "body has no <xml> element")
    return root


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def new_nonce() -> str:
    return str(secrets.randbelow(10**9) + 10**9)


@dataclass
class Opened:
    """An authenticated push: the inner message XML and whether the answer must be encrypted."""

    xml: str
    encrypted: bool


class OfficialAccountCodec:
    """Official Account: plain signature (always), AES safe mode (default, required when configured)."""

    def __init__(self, config: OfficialAccountConfig, max_clock_skew: int = 300) -> None:
        self.config = config
        self.max_clock_skew = max_clock_skew
        self.crypto = WeChatCrypto(config.token, config.aes_key, config.app_id) if config.aes_key else None

    def _check_plain_signature(self, query: dict[str, str]) -> tuple[str, str]:
        signature, timestamp, nonce = _params(query, "signature", "timestamp", "nonce")
        check_timestamp(timestamp, self.max_clock_skew)
        if not _same(signature_of(self.config.token, timestamp, nonce), signature):
            raise Rejected(403, "bad signature")
        return timestamp, nonce

    def verify_url(self, query: dict[str, str]) -> str:
        """GET from the console's "submit": the echostr, returned verbatim once the signature holds."""
        self._check_plain_signature(query)
        (echostr,) = _params(query, "echostr")
        return echostr

    def open(self, query: dict[str, str], body: bytes) -> Opened:
        timestamp, nonce = self._check_plain_signature(query)
        outer = parse_xml(body)
        encrypted = query.get("encrypt_type", "").lower() == "aes"
        if self.config.safe_mode and not encrypted:
            raise Rejected(403, "plaintext push while safe mode is configured")
        if not encrypted:
            return Opened(xml=body.decode("utf-8"), encrypted=False)
        if self.crypto is None:
            raise Rejected(403, "encrypted push but no EncodingAESKey configured")
        (msg_signature,) = _params(query, "msg_signature")
        encrypt = _text(outer.get("Encrypt"))
        if not encrypt:
            raise Rejected(400, "no <Encrypt> in an encrypted push")
        if not _same(signature_of(self.config.token, timestamp, nonce, encrypt), msg_signature):
            raise Rejected(403, "bad msg_signature")
        try:
            inner = self.crypto.decrypt_message({"Encrypt": encrypt}, msg_signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Rejected(403, "bad msg_signature") from None
        except InvalidAppIdException:
            raise Rejected(403, "encrypted for another AppID") from None
        except Exception:  # bad base64, bad block size, bad padding or length
            raise Rejected(400, "Encrypt does not decrypt") from None
        return Opened(xml=str(inner), encrypted=True)

    def seal(self, reply_xml: str, encrypted: bool) -> str:
        """The passive reply as the platform expects it: encrypted and signed in safe mode."""
        if not encrypted or self.crypto is None:
            return reply_xml
        return str(self.crypto.encrypt_message(reply_xml, new_nonce(), str(int(time.time()))))


class WeComCodec:
    """WeCom self-built app: always encrypted; the trailing ReceiveId must be our corpid."""

    def __init__(self, config: WeComConfig | WeComKfConfig, max_clock_skew: int = 300) -> None:
        self.config = config
        self.max_clock_skew = max_clock_skew
        self.crypto = WeComCrypto(config.token, config.aes_key, config.corp_id)

    def _signed(self, query: dict[str, str], payload: str) -> tuple[str, str, str]:
        msg_signature, timestamp, nonce = _params(query, "msg_signature", "timestamp", "nonce")
        check_timestamp(timestamp, self.max_clock_skew)
        if not _same(signature_of(self.config.token, timestamp, nonce, payload), msg_signature):
            raise Rejected(403, "bad msg_signature")
        return msg_signature, timestamp, nonce

    def _decrypt(self, call: Any) -> str:
        try:
            return str(call())
        except InvalidSignatureException:
            raise Rejected(403, "bad msg_signature") from None
        except InvalidCorpIdException:
            raise Rejected(403, "encrypted for another corpid") from None
        except Exception:
            raise Rejected(400, "payload does not decrypt") from None

    def verify_url(self, query: dict[str, str]) -> str:
        (echostr,) = _params(query, "echostr")
        msg_signature, timestamp, nonce = self._signed(query, echostr)
        return self._decrypt(lambda: self.crypto.check_signature(msg_signature, timestamp, nonce, echostr))

    def open(self, query: dict[str, str], body: bytes) -> Opened:
        outer = parse_xml(body)
        encrypt = _text(outer.get("Encrypt"))
        if not encrypt:
            raise Rejected(400, "no <Encrypt> in a WeCom push")
        to_user = _text(outer.get("ToUserName"))
        if to_user and to_user != self.config.corp_id:
            raise Rejected(403, "pushed to another corpid")
        agent = _text(outer.get("AgentID"))
        if agent and self.config.agent_id is not None and agent != str(self.config.agent_id):
            raise Rejected(403, "pushed to another AgentID")
        msg_signature, timestamp, nonce = self._signed(query, encrypt)
        inner = self._decrypt(
            lambda: self.crypto.decrypt_message({"Encrypt": encrypt}, msg_signature, timestamp, nonce)
        )
        return Opened(xml=inner, encrypted=True)
