"""A small Twilio-compatible Messages API on loopback that records what would have been sent."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

AUTH_TOKEN = "test-auth-token"
# What Twilio is configured to call: behind a proxy, not the address the server listens on.
PUBLIC_URL = "https://clinic.example.org/webhooks/sms/webhook"
HASH_KEY = "test-hash-key"
ADDRESS_KEY = "test-address-key"


class FakeTwilio:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.fail_next = 0  # answer this many sends with 503 before accepting
        self.attempts = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake._lock:
                    fake.attempts += 1
                    failing = fake.fail_next > 0
                    if failing:
                        fake.fail_next -= 1
                    else:
                        fake.sent.append({"to": form.get("To", ""), "body": form.get("Body", ""), "path": self.path})
                status = 503 if failing else 201
                payload = {
                    "sid": f"SM{uuid.uuid4().hex}",
                    "status": "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                }
                if failing:
                    payload = {"code": 20500, "message": "Service unavailable", "status": 503}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def to(self, number: str) -> list[str]:
        with self._lock:
            return [m["body"] for m in self.sent if m["to"] == number]

    def wait_for(self, number: str, count: int, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            bodies = self.to(number)
            if len(bodies) >= count:
                return bodies
            time.sleep(0.1)
        raise AssertionError(f"expected {count} messages to {number}, got {self.to(number)}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def sms_env(fake: FakeTwilio, **overrides: str) -> dict[str, str]:
    """Environment of an assistant whose SMS channel sends through ``fake`` and checks signatures."""
    return {
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+19495550100",
        "SMS_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_API_BASE": fake.url,
        "SMS_SEND_FIRST_DELAY": "0.05",
        "SMS_HASH_KEY": HASH_KEY,
        "SMS_ADDRESS_KEY": ADDRESS_KEY,
        **overrides,
    }
