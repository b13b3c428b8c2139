"""The embeddable widget as the web front serves it: loader, hashed bundle, caching headers, size budget.

Reads the bundle `npm run build` wrote (the test command builds it first).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.settings import Settings
from bot.web.app import STATIC
from bot.web.widget import WidgetBuild, mount_widget

BUILD = STATIC / "build"
# The budget docs/widget.md states: the whole bundle (widget and socket.io client), gzipped.
BUDGET_GZIP_BYTES = 60 * 1024


@pytest.fixture(scope="module")
def build() -> WidgetBuild:
    try:
        return WidgetBuild.find(BUILD)
    except RuntimeError as error:
        pytest.fail(f"{error} (cd web && npm ci && npm run build)")


def client_for(directory: Path, **settings: object) -> TestClient:
    app = FastAPI()
    mount_widget(app, Settings(**settings), directory)  # type: ignore[arg-type]
    return TestClient(app)


def test_the_loader_names_the_hashed_bundle_and_the_bots_chat_server(build):
    response = client_for(BUILD, rasa_port=5123, public_rasa_url="https://chat.operator.cn").get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert f'"widget/{build.bundle}"' in response.text
    assert '"socketUrl": "https://chat.operator.cn"' in response.text and '"socketPort": 5123' in response.text
    assert re.fullmatch(r"widget-[A-Z0-9]{8,}\.js", build.bundle)


def test_the_loader_is_cached_briefly_and_revalidated_with_its_etag(build):
    client = client_for(BUILD)
    first = client.get("/widget.js")
    assert first.headers["cache-control"] == "public, max-age=300, must-revalidate"
    etag = first.headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/widget.js", headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
    assert client.get("/widget.js", headers={"If-None-Match": '"stale"'}).status_code == 200
    head = client.head("/widget.js")
    assert head.status_code == 200 and head.headers["etag"] == etag


def test_the_loader_changes_its_etag_when_the_settings_change(build):
    one = client_for(BUILD, rasa_port=5005).get("/widget.js").headers["etag"]
    other = client_for(BUILD, rasa_port=5006).get("/widget.js").headers["etag"]
    assert one != other


def test_the_hashed_bundle_is_immutable_for_a_year_and_its_source_map_is_served(build):
    client = client_for(BUILD)
    bundle = client.get(f"/widget/{build.bundle}")
    assert bundle.status_code == 200
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert bundle.headers["x-content-type-options"] == "nosniff"
    assert bundle.content == (BUILD / build.bundle).read_bytes()
    assert client.get(f"/widget/{build.bundle}", headers={"If-None-Match": bundle.headers["etag"]}).status_code == 304
    source_map = client.get(f"/widget/{build.bundle}.map")
    assert source_map.status_code == 200 and json.loads(source_map.content)["version"] == 3


@pytest.mark.parametrize("name", ["widget-NOTBUILT1.js", "desk.js", "..%2Fdesk.js", "widget.meta.json", "chat.js"])
def test_only_widget_bundles_are_served_under_widget(build, name):
    assert client_for(BUILD).get(f"/widget/{name}").status_code == 404


def test_a_missing_build_is_a_clear_503_not_a_crash(tmp_path):
    response = client_for(tmp_path).get("/widget.js")
    assert response.status_code == 503
    assert "npm run build" in response.json()["detail"]


def test_a_bundle_of_the_previous_build_is_still_served_to_a_loader_cached_before_a_rebuild(build, tmp_path):
    shutil.copytree(BUILD, tmp_path, dirs_exist_ok=True)
    (tmp_path / "widget-OLDBUILD1.js").write_text("/* previous build */")
    client = client_for(tmp_path)
    assert client.get("/widget/widget-OLDBUILD1.js").text == "/* previous build */"
    assert f'"widget/{build.bundle}"' in client.get("/widget.js").text


def test_the_bundle_with_the_socketio_client_stays_under_60_kb_gzipped(build):
    raw = (BUILD / build.bundle).read_bytes()
    assert b"socket.io" in raw or b"engine.io" in raw.lower()
    size = len(gzip.compress(raw, compresslevel=9))
    print(f"widget bundle: {len(raw)} bytes, {size} bytes gzipped")
    assert size < BUDGET_GZIP_BYTES, f"{size} bytes gzipped is over the {BUDGET_GZIP_BYTES}-byte budget"


def test_the_bots_own_page_uses_the_same_widget():
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="widget.js"[^>]*>', page)
    assert "build/" not in page
