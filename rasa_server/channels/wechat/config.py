"""Settings of the WeChat Official Account and WeCom channels.

Secrets come from the environment only (Rasa 3.6 refuses to start when credentials.yml
names an unset `${VAR}`); credentials.yml carries the non-secret options (reply budget,
menu table, limits). A channel whose settings are missing or invalid is *unconfigured*:
its routes answer 503 and one warning is logged at start, so the rest of the server runs.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OA_API_BASE = "https://api.weixin.qq.com"
WECOM_API_BASE = "https://qyapi.weixin.qq.com"

# Environment variables read by the connectors.
OA_ENV = {
    "app_id": "WECHAT_OA_APPID",
    "app_secret": "WECHAT_OA_APPSECRET",
    "token": "WECHAT_OA_TOKEN",
    "aes_key": "WECHAT_OA_AES_KEY",
    "safe_mode": "WECHAT_OA_SAFE_MODE",
    "api_base": "WECHAT_OA_API_BASE",
}
WECOM_ENV = {
    "corp_id": "WECOM_CORPID",
    "agent_id": "WECOM_AGENT_ID",
    "secret": "WECOM_SECRET",
    "token": "WECOM_TOKEN",
    "aes_key": "WECOM_AES_KEY",
    "api_base": "WECOM_API_BASE",
}
WECOM_KF_ENV = {
    "corp_id": "WECOM_CORPID",
    "secret": "WECOM_KF_SECRET",
    "token": "WECOM_KF_TOKEN",
    "aes_key": "WECOM_KF_AES_KEY",
    "api_base": "WECOM_API_BASE",
}
REDIS_ENV = "REDIS_URL"

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9]{3,32}$")
FALSE_WORDS = {"0", "false", "no", "off", "plaintext", "plain"}


class ConfigError(ValueError):
    """Settings that cannot work; the message names the variable, never its value."""


def valid_aes_key(value: str) -> bool:
    """An EncodingAESKey: 43 characters of base64 that decode (with '=') to 32 bytes."""
    if len(value) != 43:
        return False
    try:
        return len(base64.b64decode(value + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _require(env: Mapping[str, str], names: dict[str, str], *keys: str) -> dict[str, str]:
    values = {key: (env.get(names[key]) or "").strip() for key in keys}
    missing = [names[key] for key, value in values.items() if not value]
    if missing:
        raise ConfigError(f"not set: {', '.join(missing)}")
    return values


@dataclass(frozen=True)
class OfficialAccountConfig:
    app_id: str
    app_secret: str
    token: str
    aes_key: str | None
    safe_mode: bool = True
    api_base: str = OA_API_BASE

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OfficialAccountConfig:
        values = _require(env, OA_ENV, "app_id", "app_secret", "token")
        safe_mode = (env.get(OA_ENV["safe_mode"]) or "true").strip().lower() not in FALSE_WORDS
        aes_key = (env.get(OA_ENV["aes_key"]) or "").strip() or None
        if safe_mode and not aes_key:
            raise ConfigError(f"safe mode needs {OA_ENV['aes_key']} (or set {OA_ENV['safe_mode']}=false to try)")
        config = cls(
            app_id=values["app_id"],
            app_secret=values["app_secret"],
            token=values["token"],
            aes_key=aes_key,
            safe_mode=safe_mode,
            api_base=(env.get(OA_ENV["api_base"]) or OA_API_BASE).rstrip("/"),
        )
        config.check()
        return config

    def check(self) -> None:
        if not TOKEN_PATTERN.match(self.token):
            raise ConfigError(f"{OA_ENV['token']} must be 3-32 letters or digits")
        if self.aes_key is not None and not valid_aes_key(self.aes_key):
            raise ConfigError(f"{OA_ENV['aes_key']} must be the 43-character EncodingAESKey")


@dataclass(frozen=True)
class WeComConfig:
    corp_id: str
    agent_id: int
    secret: str
    token: str
    aes_key: str
    api_base: str = WECOM_API_BASE

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WeComConfig:
        values = _require(env, WECOM_ENV, "corp_id", "agent_id", "secret", "token", "aes_key")
        if not values["agent_id"].isdigit():
            raise ConfigError(f"{WECOM_ENV['agent_id']} must be the app's numeric AgentId")
        config = cls(
            corp_id=values["corp_id"],
            agent_id=int(values["agent_id"]),
            secret=values["secret"],
            token=values["token"],
            aes_key=values["aes_key"],
            api_base=(env.get(WECOM_ENV["api_base"]) or WECOM_API_BASE).rstrip("/"),
        )
        config.check()
        return config

    def check(self) -> None:
        if not TOKEN_PATTERN.match(self.token):
            raise ConfigError(f"{WECOM_ENV['token']} must be 3-32 letters or digits")
        if not valid_aes_key(self.aes_key):
            raise ConfigError(f"{WECOM_ENV['aes_key']} must be the 43-character EncodingAESKey")


@dataclass(frozen=True)
class WeComKfConfig:
    """微信客服 (WeChat customer service through WeCom): its own callback Token / EncodingAESKey
    and secret (微信客服 → API), the enterprise's corpid as ReceiveId; no AgentId."""

    corp_id: str
    secret: str
    token: str
    aes_key: str
    api_base: str = WECOM_API_BASE
    agent_id: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WeComKfConfig:
        values = _require(env, WECOM_KF_ENV, "corp_id", "secret", "token", "aes_key")
        config = cls(
            corp_id=values["corp_id"],
            secret=values["secret"],
            token=values["token"],
            aes_key=values["aes_key"],
            api_base=(env.get(WECOM_KF_ENV["api_base"]) or WECOM_API_BASE).rstrip("/"),
        )
        if not TOKEN_PATTERN.match(config.token):
            raise ConfigError(f"{WECOM_KF_ENV['token']} must be 3-32 letters or digits")
        if not valid_aes_key(config.aes_key):
            raise ConfigError(f"{WECOM_KF_ENV['aes_key']} must be the 43-character EncodingAESKey")
        return config


@dataclass(frozen=True)
class ChannelOptions:
    """Non-secret options, from the channel's entry in credentials.yml."""

    # Seconds a push may wait for the bot's turn before it is acknowledged with "success"
    # and answered through the customer-service API (the platform gives up after 5 s).
    reply_budget_seconds: float = 4.0
    # How long a message id is remembered, so that the platform's retries make no second turn.
    dedup_seconds: int = 900
    # Pushes whose timestamp is further than this from the server's clock are refused (0: no check).
    max_clock_skew_seconds: int = 300
    # Menu CLICK EventKey -> what the bot receives (an intent payload such as "/complain", or words).
    menu: dict[str, str] = field(default_factory=dict)
    # Text limits: bytes (UTF-8) per message and messages per bot turn (the 48-hour rule allows 5).
    max_message_bytes: int = 2048
    max_messages_per_turn: int = 5
    # OA only: "stable_token" (POST /cgi-bin/stable_token, a fetch never invalidates another
    # process's token) or "token" (the classic GET /cgi-bin/token).
    token_endpoint: str = "stable_token"
    # Prefix of the Redis keys (de-duplication, access tokens, offered choices).
    redis_prefix: str = "wechat"
    # How long numbered choices stay answerable by their number.
    choices_seconds: int = 1800

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> ChannelOptions:
        credentials = dict(credentials or {})
        menu = credentials.get("menu") or {}
        if not isinstance(menu, Mapping):
            raise ConfigError("'menu' must map EventKeys to messages")
        token_endpoint = str(credentials.get("token_endpoint", "stable_token"))
        if token_endpoint not in {"stable_token", "token"}:
            raise ConfigError("'token_endpoint' must be stable_token or token")
        options = cls(
            reply_budget_seconds=float(credentials.get("reply_budget_seconds", 4.0)),
            dedup_seconds=int(credentials.get("dedup_seconds", 900)),
            max_clock_skew_seconds=int(credentials.get("max_clock_skew_seconds", 300)),
            menu={str(key): str(value) for key, value in menu.items()},
            max_message_bytes=int(credentials.get("max_message_bytes", 2048)),
            max_messages_per_turn=int(credentials.get("max_messages_per_turn", 5)),
            token_endpoint=token_endpoint,
            redis_prefix=str(credentials.get("redis_prefix", "wechat")),
            choices_seconds=int(credentials.get("choices_seconds", 1800)),
        )
        if not 0.5 <= options.reply_budget_seconds <= 4.5:
            raise ConfigError("'reply_budget_seconds' must be between 0.5 and 4.5 (the platform waits 5 s)")
        if options.dedup_seconds < 60 or options.dedup_seconds < 2 * options.max_clock_skew_seconds:
            raise ConfigError("'dedup_seconds' must be at least 60 and twice 'max_clock_skew_seconds'")
        if not 200 <= options.max_message_bytes <= 2048 or not 1 <= options.max_messages_per_turn <= 5:
            raise ConfigError("'max_message_bytes' must be 200-2048 and 'max_messages_per_turn' 1-5")
        return options
