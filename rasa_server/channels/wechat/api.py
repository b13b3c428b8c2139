"""The platforms' outbound APIs, asynchronously (aiohttp): access tokens and text messages.

wechatpy's API clients use blocking `requests`, which must not run on the Rasa server's
event loop, so they are not used; these few calls are made here with aiohttp.

Access token: cached in the shared state (Redis with several processes), refreshed
`REFRESH_MARGIN` seconds before it expires by one process at a time (a lock), and
fetched again once when the platform says the token is invalid or expired.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

from rasa_server.channels.wechat.config import OfficialAccountConfig, WeComConfig, WeComKfConfig
from rasa_server.channels.wechat.security import mask
from rasa_server.channels.wechat.state import State

logger = logging.getLogger(__name__)

REFRESH_MARGIN = 300
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
WINDOW_ERRORS = {45015: "outside the 48-hour reply window", 45047: "reply quota for this message used up"}
TIMEOUT = aiohttp.ClientTimeout(total=10)


class PlatformError(Exception):
    def __init__(self, errcode: int, reason: str) -> None:
        super().__init__(f"{errcode}: {reason}")
        self.errcode = errcode


class StopSending(Exception):
    """The platform refuses further messages to this user for now (45015, 45047)."""


class PlatformClient:
    """Shared token handling and sending; subclasses name the endpoints."""

    channel = "wechat"

    def __init__(self, account_id: str, api_base: str, state: State, key_prefix: str) -> None:
        self.account_id = account_id
        self.api_base = api_base
        self.state = state
        self.token_key = f"{key_prefix}:token:{self.channel}:{account_id}"
        self._session: aiohttp.ClientSession | None = None
        self._local_lock = asyncio.Lock()

    # -- HTTP
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, path: str, params: dict[str, str], body: dict | None = None) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        try:
            async with self.session().request(
                method, self.api_base + path, params=params, data=data, headers=headers
            ) as response:
                text = await response.text()
                if response.status >= 500:
                    raise PlatformError(-response.status, "server error")
        except aiohttp.ClientError as error:  # never log the URL: it carries the access token
            raise PlatformError(-1, f"network error ({type(error).__name__})") from None
        except asyncio.TimeoutError:
            raise PlatformError(-1, "timed out") from None
        try:
            result = json.loads(text)
        except json.JSONDecodeError:
            raise PlatformError(-2, "answer is not JSON") from None
        return result if isinstance(result, dict) else {"errcode": -2}

    # -- access token
    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        raise NotImplementedError

    async def access_token(self, stale: str | None = None) -> str:
        """A valid token; with `stale` (a token the platform refused) a new one, unless
        another process has already replaced it."""
        cached = await self.state.get(self.token_key)
        if self._usable(cached, stale):
            return str(cached["token"])
        async with self._local_lock:
            for _ in range(50):
                cached = await self.state.get(self.token_key)
                if self._usable(cached, stale):
                    return str(cached["token"])
                owner = await self.state.lock(self.token_key + ":lock", 15)
                if owner is not None:
                    try:
                        token, expires_in = await self._fetch_token(force=stale is not None)
                        record = {"token": token, "expires_at": time.time() + expires_in}
                        await self.state.put(self.token_key, record, max(60, expires_in))
                        logger.info("%s: new access token for %s", self.channel, mask(self.account_id))
                        return token
                    finally:
                        await self.state.unlock(self.token_key + ":lock", owner)
                await asyncio.sleep(0.2)  # another process is fetching it
            if cached and cached.get("expires_at", 0) > time.time() and cached.get("token") != stale:
                return str(cached["token"])
            raise PlatformError(-3, "no access token (another process holds the refresh lock)")

    @staticmethod
    def _usable(cached: Any, stale: str | None) -> bool:
        return (
            isinstance(cached, dict)
            and cached.get("token") != stale
            and float(cached.get("expires_at", 0)) - REFRESH_MARGIN > time.time()
        )

    def _token_from(self, result: dict) -> tuple[str, int]:
        token = result.get("access_token")
        if not token or result.get("errcode", 0) not in (0, None):
            raise PlatformError(int(result.get("errcode") or -4), str(result.get("errmsg") or "no access_token"))
        return str(token), int(result.get("expires_in") or 7200)

    # -- calls with the access token
    async def call(self, path: str, body: dict, user: str = "") -> dict:
        """POST with the access token, fetched again once if the platform refuses it. Raises
        StopSending for the reply-window errors, PlatformError for any other."""
        stale: str | None = None
        for attempt in (1, 2):
            token = await self.access_token(stale)
            result = await self._call("POST", path, {"access_token": token}, body)
            errcode = int(result.get("errcode") or 0)
            if errcode == 0:
                return result
            if errcode in TOKEN_ERRORS and attempt == 1:
                logger.info("%s: access token refused (%s), fetching a new one", self.channel, errcode)
                stale = token
                continue
            if errcode in WINDOW_ERRORS:
                logger.warning(
                    "%s: message to %s dropped: %s (%s)", self.channel, mask(user), WINDOW_ERRORS[errcode], errcode
                )
                raise StopSending(errcode)
            raise PlatformError(errcode, str(result.get("errmsg") or ""))
        raise PlatformError(-5, "unreachable")

    # -- sending
    def _text_body(self, user: str, content: str, context: dict[str, Any]) -> dict:
        raise NotImplementedError

    send_path = ""

    async def send_text(self, user: str, content: str, context: dict[str, Any] | None = None) -> None:
        """One text message through the customer-service / app-message API."""
        await self.call(self.send_path, self._text_body(user, content, context or {}), user)

    async def send_texts(self, user: str, contents: list[str], context: dict[str, Any] | None = None) -> int:
        """Sends in order; stops at the first refusal. The number of messages sent."""
        sent = 0
        for content in contents:
            try:
                await self.send_text(user, content, context)
            except StopSending:
                break
            except PlatformError as error:
                logger.error(
                    "%s: message to %s not sent: %s (%s)", self.channel, mask(user), error.errcode, error.args[0]
                )
                break
            sent += 1
        return sent


class OfficialAccountClient(PlatformClient):
    channel = "wechat_oa"
    send_path = "/cgi-bin/message/custom/send"

    def __init__(self, config: OfficialAccountConfig, state: State, key_prefix: str, token_endpoint: str) -> None:
        super().__init__(config.app_id, config.api_base, state, key_prefix)
        self.config = config
        self.token_endpoint = token_endpoint

    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        if self.token_endpoint == "stable_token":
            body = {
                "grant_type": "client_credential",
                "appid": self.config.app_id,
                "secret": self.config.app_secret,
                "force_refresh": force,
            }
            return self._token_from(await self._call("POST", "/cgi-bin/stable_token", {}, body))
        params = {"grant_type": "client_credential", "appid": self.config.app_id, "secret": self.config.app_secret}
        return self._token_from(await self._call("GET", "/cgi-bin/token", params))

    def _text_body(self, user: str, content: str, context: dict[str, Any]) -> dict:
        return {"touser": user, "msgtype": "text", "text": {"content": content}}


class WeComClient(PlatformClient):
    channel = "wecom"
    send_path = "/cgi-bin/message/send"

    def __init__(self, config: WeComConfig, state: State, key_prefix: str) -> None:
        super().__init__(f"{config.corp_id}:{config.agent_id}", config.api_base, state, key_prefix)
        self.config = config

    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        params = {"corpid": self.config.corp_id, "corpsecret": self.config.secret}
        return self._token_from(await self._call("GET", "/cgi-bin/gettoken", params))

    def _text_body(self, user: str, content: str, context: dict[str, Any]) -> dict:
        return {"touser": user, "msgtype": "text", "agentid": self.config.agent_id, "text": {"content": content}}


class WeComKfClient(PlatformClient):
    """微信客服: messages are pulled with sync_msg and answered with send_msg (per open_kfid)."""

    channel = "wecom_kf"
    send_path = "/cgi-bin/kf/send_msg"

    def __init__(self, config: WeComKfConfig, state: State, key_prefix: str) -> None:
        super().__init__(f"{config.corp_id}:kf", config.api_base, state, key_prefix)
        self.config = config

    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        params = {"corpid": self.config.corp_id, "corpsecret": self.config.secret}
        return self._token_from(await self._call("GET", "/cgi-bin/gettoken", params))

    def _text_body(self, user: str, content: str, context: dict[str, Any]) -> dict:
        return {"touser": user, "open_kfid": context["open_kfid"], "msgtype": "text", "text": {"content": content}}

    async def sync_msg(self, cursor: str, token: str, open_kfid: str, limit: int = 1000) -> dict:
        body = {"cursor": cursor, "token": token, "limit": limit, "voice_format": 0, "open_kfid": open_kfid}
        return await self.call("/cgi-bin/kf/sync_msg", {key: value for key, value in body.items() if value != ""})

    async def send_on_event(self, welcome_code: str, content: str) -> None:
        """The welcome of an enter_session event (one message, within 20 s of the event)."""
        await self.call(
            "/cgi-bin/kf/send_msg_on_event", {"code": welcome_code, "msgtype": "text", "text": {"content": content}}
        )
