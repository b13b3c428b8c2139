"""The web origins allowed to open a chat (ALLOWED_ORIGINS), kept free of web-framework imports.

Used by the Rasa server's web chat channel (socket.io handshake, HTTP long-polling and
WebSocket upgrade) and by the application's settings check, so both read the setting the
same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
IPV6 = re.compile(r"^[0-9a-f:.]+$")


class OriginError(ValueError):
    """An ALLOWED_ORIGINS entry that is not an origin; says which and why."""


def normalise_origin(value: str) -> str:
    """`https://www.example.cn` as browsers send it in the Origin header, or OriginError."""
    text = value.strip().rstrip("/")
    if text == "*":
        raise OriginError("'*' is not accepted in ALLOWED_ORIGINS: list the operator's sites one by one")
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise OriginError(f"{value!r} is not an origin: write it as https://host or https://host:port")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise OriginError(f"{value!r} is not an origin: no path, query or user part (https://host[:port])")
    try:
        port = parts.port
    except ValueError:
        raise OriginError(f"{value!r} has an invalid port") from None
    default_port = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host and IPV6.match(host):
        host = f"[{host}]"
    elif not HOSTNAME.match(host):
        raise OriginError(f"{value!r} is not an origin: the host name has characters a host name cannot have")
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def parse_origins(value: str) -> list[str]:
    """A comma- or space-separated ALLOWED_ORIGINS value, normalised and without repeats."""
    origins: list[str] = []
    for item in value.replace(",", " ").split():
        origin = normalise_origin(item)
        if origin not in origins:
            origins.append(origin)
    return origins


def bot_page_origins(web_port: int | str) -> list[str]:
    """The bot's own chat page as `make run` serves it on this machine (development default)."""
    return [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]


def allowed_origins(environ: Mapping[str, str] | None = None) -> list[str]:
    """ALLOWED_ORIGINS from the environment; unset or empty: only the bot's own page on this machine."""
    environ = os.environ if environ is None else environ
    configured = environ.get("ALLOWED_ORIGINS", "").strip()
    if configured:
        return parse_origins(configured)
    return bot_page_origins(environ.get("WEB_PORT", "8080"))
