"""The demo clinic site on :8080 with the chat widget, as a site owner would embed it.

Serves the demo page, widget/widget.js and the socket.io client installed from npm
(widget/node_modules), so nothing comes from a CDN, and nothing else: no other file of the
repository, for GET or HEAD. RASA_PUBLIC_URL tells the page where the assistant is (default:
the host the page was asked for, port RASA_PORT or 5005). It listens on DEMO_INTERFACE
(default 127.0.0.1). The page shows the clinic's brand name from the clinic configuration
(content/clinics.yml), as the widget and SMS do.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# bin/run-all starts this file as a script (python widget/serve.py): the repository root, where
# the clinic package lives, is then not on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from clinic.directory import default_directory  # noqa: E402

WIDGET = Path(__file__).resolve().parent
ROUTES = {
    "/widget/widget.js": (WIDGET / "widget.js", "text/javascript"),
    "/widget/vendor/socket.io.min.js": (
        WIDGET / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js",
        "text/javascript",
    ),
}
# A host name or IPv4 address, as a browser sends it in Host; anything else is not written into the page.
HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


def page_host(host_header: str | None) -> str:
    """The host part of a Host header when it is a plain name or address, else "localhost"."""
    host = (host_header or "").rsplit(":", 1)[0] if (host_header or "").count(":") <= 1 else ""
    return host if HOST_NAME.fullmatch(host) else "localhost"


def script_string(value: str) -> str:
    """``value`` for the inside of a double-quoted string in an inline script."""
    return json.dumps(value)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def demo_page(host_header: str | None) -> bytes:
    server_url = (
        os.environ.get("RASA_PUBLIC_URL") or f"http://{page_host(host_header)}:{os.environ.get('RASA_PORT', '5005')}"
    )
    directory = default_directory()
    brand_name = directory.brand.name if directory.brand else directory.group_name
    page = (WIDGET / "demo" / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{SERVER_URL}}", script_string(server_url))
    return page.replace("{{CLINIC_NAME}}", html.escape(brand_name)).encode()


class DemoSite(BaseHTTPRequestHandler):
    def _content(self) -> tuple[bytes, str] | None:
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            return demo_page(self.headers.get("Host")), "text/html; charset=utf-8"
        if path in ROUTES:
            file, content_type = ROUTES[path]
            return file.read_bytes(), content_type
        return None

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._reply(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._reply(with_body=False)

    def _reply(self, with_body: bool) -> None:
        content = self._content()
        if content is None:
            self.send_error(404)
            return
        body, content_type = content
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class DemoServer(ThreadingHTTPServer):
    # http.server's default of 5 drops connections when a page's requests arrive in a burst.
    request_queue_size = 128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8080")))
    args = parser.parse_args()
    server = DemoServer((os.environ.get("DEMO_INTERFACE", "127.0.0.1"), args.port), DemoSite)
    print(f"Demo clinic site on http://localhost:{args.port}")
    server.serve_forever()


if __name__ == "__main__":
    main()
