"""A stand-in for the WeChat and WeCom platforms, for tests in both environments.

`OfficialAccountSimulator` / `WeComSimulator` build a push as the platform does (message XML,
AES encryption with the account's EncodingAESKey through wechatpy, the signatures in the
query string) and read the channel's passive reply back (signature checked, decrypted).
`FakePlatformAPI` is a local HTTP server with the platforms' outbound endpoints (access
tokens, customer-service / app messages) that records what it is sent and can answer with
the platforms' errors (expired token, 48-hour window). Transport-free: a test posts
`push.query` and `push.body` with whatever HTTP client its environment has.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

_ids = itertools.count(int(time.time() * 1000) * 1000)


def new_msg_id() -> str:
    return str(next(_ids))


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(fields: dict[str, Any]) -> str:
    nodes = []
    for name, value in fields.items():
        if value is None:
            continue
        nodes.append(f"<{name}>{value}</{name}>" if isinstance(value, int) else f"<{name}>{cdata(str(value))}</{name}>")
    return "<xml>" + "".join(nodes) + "</xml>"


def encode_query(params: dict[str, str], plus_unescaped: bool = False) -> str:
    """Percent-encoded as the platforms do; with `plus_unescaped`, '+' left raw (a proxy that decoded it)."""
    safe = "+/=" if plus_unescaped else ""
    return "&".join(f"{name}={quote(value, safe=safe)}" for name, value in params.items())


@dataclass
class Push:
    query: str
    body: bytes
    xml: str

    def path(self, base: str) -> str:
        return f"{base}?{self.query}"


class _Simulator:
    def __init__(self, token: str, aes_key: str, receive_id: str) -> None:
        self.token = token
        self.aes_key = aes_key
        self.receive_id = receive_id
        self.crypto = WeChatCrypto(token, aes_key, receive_id)

    def encrypt(self, xml: str, receive_id: str | None = None, aes_key: str | None = None) -> str:
        key = WeChatCrypto(self.token, aes_key, self.receive_id).key if aes_key else self.crypto.key
        return PrpCrypto(key).encrypt(xml, receive_id or self.receive_id).decode()

    @staticmethod
    def stamp(timestamp: int | None = None) -> tuple[str, str]:
        return str(timestamp if timestamp is not None else int(time.time())), str(secrets.randbelow(10**9) + 10**9)


class OfficialAccountSimulator(_Simulator):
    """公众号 pushes to the developer's URL; `safe_mode` as chosen in the console."""

    def __init__(
        self, token: str, aes_key: str, app_id: str, original_id: str = "gh_0123456789ab", safe_mode: bool = True
    ) -> None:
        super().__init__(token, aes_key, app_id)
        self.app_id = app_id
        self.original_id = original_id
        self.safe_mode = safe_mode

    # -- messages
    def _base(self, openid: str, msg_type: str, create_time: int | None) -> dict[str, Any]:
        return {
            "ToUserName": self.original_id,
            "FromUserName": openid,
            "CreateTime": create_time if create_time is not None else int(time.time()),
            "MsgType": msg_type,
        }

    def text(self, openid: str, content: str, msg_id: str | None = None, create_time: int | None = None) -> str:
        return message_xml(
            {**self._base(openid, "text", create_time), "Content": content, "MsgId": int(msg_id or new_msg_id())}
        )

    def voice(self, openid: str, recognition: str | None, msg_id: str | None = None) -> str:
        fields = {**self._base(openid, "voice", None), "MediaId": "media-" + secrets.token_hex(8), "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        fields["MsgId"] = int(msg_id or new_msg_id())
        return message_xml(fields)

    def image(self, openid: str) -> str:
        return message_xml(
            {
                **self._base(openid, "image", None),
                "PicUrl": "http://mmbiz.example/pic.jpg",
                "MediaId": "m",
                "MsgId": int(new_msg_id()),
            }
        )

    def event(self, openid: str, event: str, key: str | None = None, create_time: int | None = None) -> str:
        return message_xml({**self._base(openid, "event", create_time), "Event": event, "EventKey": key})

    # -- the push
    def push(
        self,
        xml: str,
        *,
        timestamp: int | None = None,
        token: str | None = None,
        app_id: str | None = None,
        aes_key: str | None = None,
        body: bytes | None = None,
    ) -> Push:
        """The request the platform makes: `token` / `app_id` / `aes_key` forge a wrong one."""
        ts, nonce = self.stamp(timestamp)
        token = token or self.token
        openid = str((xmltodict.parse(xml)["xml"] or {}).get("FromUserName") or "")
        params = {"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": openid}
        if not self.safe_mode:
            return Push(encode_query(params), body if body is not None else xml.encode(), xml)
        encrypt = self.encrypt(xml, app_id, aes_key)
        params.update(encrypt_type="aes", msg_signature=sign(token, ts, nonce, encrypt))
        outer = f"<xml><ToUserName>{cdata(self.original_id)}</ToUserName><Encrypt>{cdata(encrypt)}</Encrypt></xml>"
        return Push(encode_query(params), body if body is not None else outer.encode(), xml)

    def verification(self, echostr: str, token: str | None = None) -> str:
        ts, nonce = self.stamp()
        return encode_query(
            {"signature": sign(token or self.token, ts, nonce), "echostr": echostr, "timestamp": ts, "nonce": nonce}
        )

    def read_reply(self, body: bytes | str) -> dict[str, Any] | None:
        """The passive reply as the user would see it; None for "success" / empty (no reply)."""
        text = body.decode() if isinstance(body, bytes) else body
        if text.strip() in ("", "success"):
            return None
        outer = xmltodict.parse(text)["xml"]
        if self.safe_mode:
            assert "Encrypt" in outer, "safe mode: the reply must be encrypted"
            expected = sign(self.token, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
            assert outer["MsgSignature"] == expected, "the reply's MsgSignature does not verify"
            text = self.crypto.decrypt_message(outer, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
            outer = xmltodict.parse(text)["xml"]
        return dict(outer)


class WeComSimulator(_Simulator):
    """企业微信 self-built app callbacks: always encrypted, ReceiveId = corpid."""

    def __init__(self, token: str, aes_key: str, corp_id: str, agent_id: int | None) -> None:
        super().__init__(token, aes_key, corp_id)
        self.corp_id = corp_id
        self.agent_id = agent_id  # None: the 微信客服 callback, which has no AgentID

    def kf_event(self, open_kfid: str, token: str | None = None) -> str:
        """微信客服: "there are new messages for open_kfid" (they are then pulled with sync_msg)."""
        return message_xml(
            {
                "ToUserName": self.corp_id,
                "CreateTime": int(time.time()),
                "MsgType": "event",
                "Event": "kf_msg_or_event",
                "Token": token or "ENC" + secrets.token_hex(20),
                "OpenKfId": open_kfid,
            }
        )

    def text(self, user_id: str, content: str, msg_id: str | None = None) -> str:
        return message_xml(
            {
                "ToUserName": self.corp_id,
                "FromUserName": user_id,
                "CreateTime": int(time.time()),
                "MsgType": "text",
                "Content": content,
                "MsgId": int(msg_id or new_msg_id()),
                "AgentID": self.agent_id,
            }
        )

    def push(
        self, xml: str, *, token: str | None = None, corp_id: str | None = None, agent_id: int | None = None
    ) -> Push:
        ts, nonce = self.stamp()
        encrypt = self.encrypt(xml, corp_id)
        agent = agent_id or self.agent_id
        outer = (
            f"<xml><ToUserName>{cdata(corp_id or self.corp_id)}</ToUserName>"
            + (f"<AgentID>{cdata(str(agent))}</AgentID>" if agent is not None else "")
            + f"<Encrypt>{cdata(encrypt)}</Encrypt></xml>"
        )
        params = {"msg_signature": sign(token or self.token, ts, nonce, encrypt), "timestamp": ts, "nonce": nonce}
        return Push(encode_query(params), outer.encode(), xml)

    def verification(self, echo: str, plus_unescaped: bool = False) -> str:
        ts, nonce = self.stamp()
        echostr = self.encrypt(echo)
        params = {"msg_signature": sign(self.token, ts, nonce, echostr), "timestamp": ts, "nonce": nonce}
        params["echostr"] = echostr
        return encode_query(params, plus_unescaped=plus_unescaped)


# --------------------------------------------------------------------------- the outbound APIs


class FakePlatformAPI:
    """api.weixin.qq.com / qyapi.weixin.qq.com on 127.0.0.1: tokens and message sending."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.valid_tokens: set[str] = set()
        self.token_requests: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []
        self.scripted: list[int] = []  # errcodes for the next sends
        # 微信客服: the messages sync_msg hands out (cursor = index), in pages of `kf_page_size`
        self.kf_messages: list[dict[str, Any]] = []
        self.kf_page_size = 1000
        self.kf_syncs: list[dict[str, Any]] = []
        self.kf_welcomes: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _answer(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                self._answer(fake.handle("GET", url.path, parse_qs(url.query), None))

            def do_POST(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
                self._answer(fake.handle("POST", url.path, parse_qs(url.query), body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatformAPI:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- behaviour
    def _issue(self, kind: str, query: dict[str, list[str]], body: dict[str, Any] | None) -> dict[str, Any]:
        token = f"ACCESS_TOKEN_{len(self.token_requests) + 1}_{secrets.token_hex(4)}"
        self.token_requests.append({"kind": kind, "query": query, "body": body})
        self.valid_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: dict | None) -> dict[str, Any]:
        with self.lock:
            if path in ("/cgi-bin/token", "/cgi-bin/gettoken", "/cgi-bin/stable_token"):
                answer = self._issue(path.rsplit("/", 1)[1], query, body)
                return {"errcode": 0, "errmsg": "ok", **answer} if path == "/cgi-bin/gettoken" else answer
            token = (query.get("access_token") or [""])[0]
            if path.startswith("/cgi-bin/kf/") and token not in self.valid_tokens:
                return {"errcode": 40014, "errmsg": "invalid access_token"}
            if path == "/cgi-bin/kf/sync_msg":
                assert body is not None
                self.kf_syncs.append(body)
                start = int(body.get("cursor") or 0)
                page = self.kf_messages[start : start + min(int(body.get("limit") or 1000), self.kf_page_size)]
                end = start + len(page)
                more = int(end < len(self.kf_messages))
                return {"errcode": 0, "errmsg": "ok", "next_cursor": str(end), "has_more": more, "msg_list": page}
            if path == "/cgi-bin/kf/send_msg_on_event":
                self.kf_welcomes.append({"path": path, "body": body})
                return {"errcode": 0, "errmsg": "ok", "msgid": "MSG" + secrets.token_hex(4)}
            if path in ("/cgi-bin/message/custom/send", "/cgi-bin/message/send", "/cgi-bin/kf/send_msg"):
                record = {"path": path, "token": token, "body": body, "at": time.time()}
                if token not in self.valid_tokens:
                    self.refused.append({**record, "errcode": 40001})
                    return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
                if self.scripted:
                    errcode = self.scripted.pop(0)
                    self.refused.append({**record, "errcode": errcode})
                    return {"errcode": errcode, "errmsg": "scripted error"}
                self.sent.append(record)
                return {"errcode": 0, "errmsg": "ok"}
            return {"errcode": 404, "errmsg": f"no such endpoint {path}"}

    def expire_tokens(self) -> None:
        with self.lock:
            self.valid_tokens.clear()

    def fail_next(self, *errcodes: int) -> None:
        with self.lock:
            self.scripted.extend(errcodes)

    # -- reading what was sent
    def texts_to(self, user: str) -> list[str]:
        with self.lock:
            return [r["body"]["text"]["content"] for r in self.sent if r["body"].get("touser") == user]

    def wait_texts(self, user: str, count: int = 1, timeout: float = 30.0) -> list[str]:
        """Blocking: for synchronous tests (the end-to-end test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.texts_to(user)
            if len(texts) >= count:
                return texts
            time.sleep(0.1)
        raise AssertionError(f"{count} message(s) to {user} expected, got {self.texts_to(user)}")

    async def await_texts(self, user: str, count: int = 1, timeout: float = 15.0) -> list[str]:
        """The same for tests on an event loop (the server's background tasks keep running)."""
        import asyncio

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.texts_to(user)
            if len(texts) >= count:
                return texts
            await asyncio.sleep(0.05)
        raise AssertionError(f"{count} message(s) to {user} expected, got {self.texts_to(user)}")
