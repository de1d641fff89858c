"""The demo clinic site on :8080 with the chat widget, as a site owner would embed it.

Serves the demo page, widget/widget.js and the socket.io client installed from npm
(widget/node_modules), so nothing comes from a CDN. RASA_PUBLIC_URL tells the page where the
assistant is (default: this host, port 5005). The page shows the clinic's brand name from the
clinic configuration (content/clinics.yml), as the widget and SMS do.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
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


class DemoSite(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            host = self.headers.get("Host", "localhost").split(":")[0]
            server_url = os.environ.get("RASA_PUBLIC_URL") or f"http://{host}:5005"
            brand = default_directory().brand
            page = (WIDGET / "demo" / "index.html").read_text(encoding="utf-8")
            page = page.replace("{{SERVER_URL}}", server_url)
            page = page.replace("{{CLINIC_NAME}}", html.escape(brand.name if brand else default_directory().group_name))
            self._reply(page.encode(), "text/html; charset=utf-8")
        elif path in ROUTES:
            file, content_type = ROUTES[path]
            self._reply(file.read_bytes(), content_type)
        else:
            self.send_error(404)

    def _reply(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8080")))
    args = parser.parse_args()
    server = ThreadingHTTPServer(("0.0.0.0", args.port), DemoSite)
    print(f"Demo clinic site on http://localhost:{args.port}")
    server.serve_forever()


if __name__ == "__main__":
    main()
