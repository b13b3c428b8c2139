"""The embeddable chat widget as the web front serves it: a small loader and an immutable, hashed bundle.

`/widget.js` is what an operator puts in a <script> tag. It is a few hundred bytes that change only
when the widget is rebuilt or the settings change: cached for 5 minutes and revalidated with an ETag.
It loads `/widget/widget-<hash>.js`, the esbuild bundle (widget and socket.io client) named by its
content hash, cached for a year as immutable. A new build gets a new name, so a browser never runs
an old bundle for longer than the loader's 5 minutes.

The scripts are public code (a <script> tag sends no Origin to check); the conversation itself
is guarded by ALLOWED_ORIGINS in the Rasa server's channel (rasa_server/channels/webchat.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from bot.settings import Settings

BUNDLE_NAME = re.compile(r"^widget-[A-Z0-9]{8,}\.js(\.map)?$")
LOADER_CACHE = "public, max-age=300, must-revalidate"
BUNDLE_CACHE = "public, max-age=31536000, immutable"
JS = "text/javascript; charset=utf-8"

LOADER = """/* Chat widget loader of the 5G service bot (docs/widget.md). */
(function () {
  "use strict";
  var script = document.currentScript;
  var state = (window.G5CareChat = window.G5CareChat || {});
  if (!script || state.script) return;
  state.script = script;
  state.defaults = %(defaults)s;
  var bundle = document.createElement("script");
  bundle.src = new URL(%(bundle)s, script.src).href;
  bundle.async = true;
  (document.head || document.documentElement).appendChild(bundle);
})();
"""


class WidgetNotBuilt(RuntimeError):
    """The bundle is missing: `cd web && npm ci && npm run build` (make run does it)."""


@dataclass(frozen=True)
class WidgetBuild:
    directory: Path
    bundle: str

    @classmethod
    def find(cls, directory: Path) -> WidgetBuild:
        """The bundle esbuild wrote for src/widget.js, from its metafile."""
        meta = directory / "widget.meta.json"
        try:
            outputs = json.loads(meta.read_text(encoding="utf-8"))["outputs"]
        except (OSError, ValueError, KeyError) as error:
            raise WidgetNotBuilt(f"{meta} is missing or unreadable: build the widget (npm run build)") from error
        for path, output in outputs.items():
            name = Path(path).name
            if output.get("entryPoint", "").endswith("src/widget.js") and BUNDLE_NAME.match(name):
                if (directory / name).is_file():
                    return cls(directory, name)
        raise WidgetNotBuilt(f"no widget bundle listed in {meta}: build the widget (npm run build)")


def loader_source(bundle: str, settings: Settings) -> str:
    defaults = {"socketUrl": settings.public_rasa_url, "socketPort": settings.rasa_port, "socketPath": "/socket.io"}
    return LOADER % {
        "defaults": json.dumps(defaults),
        "bundle": json.dumps(f"widget/{bundle}"),
    }


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached(request: Request, body: bytes, cache_control: str) -> Response:
    """200 with the body, or 304 when the browser's If-None-Match names the same ETag."""
    etag = etag_of(body)
    headers = {
        "Cache-Control": cache_control,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        # Host pages that isolate themselves (Cross-Origin-Embedder-Policy) may still load it.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    matches = [tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")]
    if etag in matches:
        return Response(status_code=304, headers=headers)
    media_type = "application/json" if request.url.path.endswith(".map") else JS
    return Response(body, media_type=media_type, headers=headers)


def mount_widget(app: FastAPI, settings: Settings, directory: Path) -> None:
    """/widget.js (loader) and /widget/<bundle> (immutable); the build is looked up once per process."""
    found: list[WidgetBuild] = []

    def build() -> WidgetBuild:
        if not found:
            try:
                found.append(WidgetBuild.find(directory))
            except WidgetNotBuilt as error:
                raise HTTPException(503, str(error)) from error
        return found[0]

    @app.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
    def widget_loader(request: Request) -> Response:
        body = loader_source(build().bundle, settings).encode()
        return cached(request, body, LOADER_CACHE)

    @app.api_route("/widget/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def widget_bundle(name: str, request: Request) -> Response:
        # Any bundle still on disk is served: a loader cached before a rebuild names the previous one.
        path = build().directory / name
        if not BUNDLE_NAME.match(name) or not path.is_file():
            raise HTTPException(404, "no such widget bundle")
        return cached(request, path.read_bytes(), BUNDLE_CACHE)
