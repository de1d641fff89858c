"""The server launchers: the action server's request checks, the API token kept off command lines, stopping servers."""

import subprocess
import time

import pytest

from clinic import rasa_server
from clinic.action_server import TOKEN_HEADER, action_token, refusal
from clinic.rasa_server import with_api_token
from harness.servers import stop_groups

TOKEN = "a-token-of-enough-length"


@pytest.mark.parametrize(
    ("path", "method", "headers", "expected"),
    [
        ("/health", "GET", {}, None),
        ("/webhook", "POST", {}, 401),
        ("/webhook", "POST", {TOKEN_HEADER: "wrong"}, 401),
        ("/actions", "GET", {}, 401),
        ("/webhook", "POST", {TOKEN_HEADER: TOKEN, "Content-Type": "text/plain"}, 415),
        ("/webhook", "POST", {TOKEN_HEADER: TOKEN}, 415),
        ("/webhook", "POST", {TOKEN_HEADER: TOKEN, "Content-Type": "application/json; charset=utf-8"}, None),
        ("/actions", "GET", {TOKEN_HEADER: TOKEN}, None),
    ],
)
def test_the_action_server_answers_only_json_calls_with_the_token(path, method, headers, expected):
    refused = refusal(path, method, headers, TOKEN)
    assert (refused[0] if refused else None) == expected


@pytest.mark.parametrize("value", [None, "", "short"])
def test_the_action_server_will_not_start_without_a_token(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    else:
        monkeypatch.setenv("ACTION_SERVER_TOKEN", value)
    with pytest.raises(SystemExit, match="ACTION_SERVER_TOKEN"):
        action_token()


def test_the_api_token_is_added_in_process_from_the_environment(monkeypatch):
    monkeypatch.setenv("RASA_API_TOKEN", "-starts-like-an-option")
    assert with_api_token(["run", "--enable-api"]) == ["run", "--enable-api", "--auth-token=-starts-like-an-option"]
    assert with_api_token(["run"]) == ["run"]


@pytest.mark.parametrize("arguments", [["run", "--enable-api", "--auth-token", "x"], ["run", "--auth-token=x"]])
def test_a_token_on_the_command_line_is_refused(arguments):
    with pytest.raises(SystemExit, match="RASA_API_TOKEN"):
        with_api_token(arguments)


def group(pgid: int) -> list[str]:
    return subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout.split()


def wait_for(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_stopping_a_server_stops_every_process_it_started():
    # A server that starts workers of its own, one of which ignores SIGTERM.
    server = subprocess.Popen(
        ["bash", "-c", "trap '' TERM; sleep 300 & bash -c \"trap '' TERM; sleep 300\" & wait"],
        start_new_session=True,
    )
    assert wait_for(lambda: len(group(server.pid)) >= 3)
    started = time.monotonic()
    stop_groups([server], timeout=2)
    assert time.monotonic() - started < 10
    # SIGKILLed processes may stay listed until init has reaped them.
    assert wait_for(lambda: group(server.pid) == [])


def test_the_rasa_server_will_not_start_without_the_crisis_screen(tmp_path):
    with pytest.raises(SystemExit, match="crisis screen cannot be loaded.*make crisis-model"):
        rasa_server.load_crisis_screen(model=tmp_path / "missing.pkl")
    rasa_server.load_crisis_screen()  # the built one loads
