"""An operator's web page on another origin that embeds the chat widget under a strict CSP, for browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.e2e.servers import free_port


def strict_csp(web_url: str, rasa_url: str) -> str:
    """The policy docs/widget.md asks of a host page: scripts from the bot's web front, connections to the chat."""
    rasa = urlsplit(rasa_url)
    socket = f"{'wss' if rasa.scheme == 'https' else 'ws'}://{rasa.netloc}"
    return (
        "default-src 'self'; "
        f"script-src 'self' {web_url}; "
        f"connect-src 'self' {rasa_url} {socket}; "
        "style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


# Host styles that would break a widget living in the page's own DOM.
HOSTILE_CSS = """
* { font-family: serif !important; color: #ff00ff !important; box-sizing: content-box !important; }
button { display: none !important; }
input { visibility: hidden !important; }
div { padding: 40px !important; background: #000 !important; }
g5care-chat { display: none !important; }
.panel, .log, .launcher { display: none !important; }
"""


def page_html(title: str, widget_tag: str, links: str = "") -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="/site.css"></head>
<body><header><h1>{title}</h1><nav>{links}</nav></header>
<main><p id="host-text">Operator website content.</p><button id="host-button" type="button">Host button</button></main>
{widget_tag}
</body></html>"""


@dataclass
class HostSite:
    url: str
    csp: str
    pages: dict[str, str]
    styles: str


@contextmanager
def host_site(
    web_url: str, rasa_url: str, data: str = "", hostile_css: bool = True, port: int | None = None
) -> Iterator[HostSite]:
    """Two pages (/ and /plans) embedding the widget with `data` attributes, served with the strict CSP."""
    csp = strict_csp(web_url, rasa_url)
    tag = f'<script src="{web_url}/widget.js" {data} async></script>'
    links = '<a href="/">Home</a> <a id="to-plans" href="/plans">Plans</a>'
    site = HostSite(
        url="",
        csp=csp,
        pages={"/": page_html("Operator home", tag, links), "/plans": page_html("Operator plans", tag, links)},
        styles=HOSTILE_CSS if hostile_css else "",
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?")[0]
            if path == "/site.css":
                body, kind = site.styles.encode(), "text/css"
            elif path in site.pages:
                body, kind = site.pages[path].encode(), "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Security-Policy", csp)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    port = port or free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{port}"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
