"""The demo clinic site (widget/serve.py) serves its page and the widget's files, and nothing else."""

import http.client
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.servers import ROOT, free_port, wait_for_http


@pytest.fixture(scope="module")
def demo() -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "RASA_PORT": "5999"}
    env.pop("RASA_PUBLIC_URL", None)
    server = subprocess.Popen([sys.executable, "widget/serve.py", "--port", str(port)], cwd=ROOT, env=env)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", timeout=30)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def request(port: int, method: str, path: str, host: str | None = None) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    "path", ["/.git/config", "/var/rasa-api-token", "/README.md", "/widget/serve.py", "/../../etc/passwd", "/widget/"]
)
def test_nothing_outside_the_demo_is_served(demo, method, path):
    status, body, _ = request(demo, method, path)
    assert status == 404 and b"[core]" not in body


def test_head_answers_like_get_without_a_body(demo):
    get_status, page, _ = request(demo, "GET", "/")
    head_status, body, headers = request(demo, "HEAD", "/")
    assert (get_status, head_status, body) == (200, 200, b"")
    assert int(headers["Content-Length"]) == len(page)


def test_the_host_header_cannot_write_into_the_page(demo):
    status, page, _ = request(demo, "GET", "/", host='x"</script><script>alert(1)</script>')
    assert status == 200 and b"alert(1)" not in page
    assert b'serverUrl: "http://localhost:5999"' in page


def test_a_plain_host_names_the_assistant_on_the_same_host(demo):
    _, page, _ = request(demo, "GET", "/", host=f"127.0.0.1:{demo}")
    assert b'serverUrl: "http://127.0.0.1:5999"' in page


def listen_backlog(port: int) -> int:
    """The accept queue size of the socket listening on ``port`` (``ss`` shows it as Send-Q)."""
    output = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True).stdout
    return int(output.split()[2])


def test_it_listens_on_loopback_with_room_for_a_burst_of_connections(demo):
    assert listen_backlog(demo) >= 128
    listening = [
        line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:] if line.split()[3] == "0A"
    ]
    assert f"0100007F:{demo:04X}" in listening
