"""The action server: ``python -m clinic.action_server <rasa_sdk arguments>``, rasa_sdk's own command line.

The action server can create escalations, and a staff reply to an SMS escalation texts its
number, so only the Rasa server may call it:

- it listens on loopback only (127.0.0.1), whatever ``SANIC_HOST`` says;
- every request but ``/health`` must carry ``X-Clinic-Action-Token`` with ACTION_SERVER_TOKEN,
  which the Rasa server sends from its action endpoint's ``headers`` (endpoints*.yml); without
  the setting the server refuses to start;
- a call must be a JSON body (a web page can POST ``text/plain`` cross-site without asking);
- errors are JSON with their own status, never a 500 with a traceback.

The checks are attached through rasa_sdk's plugin hook (``attach_sanic_app_extensions``).
"""

from __future__ import annotations

import hmac
import os
import sys
from typing import Any

import pluggy

TOKEN_HEADER = "X-Clinic-Action-Token"
OPEN_PATHS = ("/health",)
JSON_TYPES = ("application/json",)

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def action_token() -> str:
    """ACTION_SERVER_TOKEN; the launchers (bin/run-all, bin/run-prod, make) make one per start."""
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if len(token) < 16:
        raise SystemExit("ACTION_SERVER_TOKEN must be set (16 characters or more): the Rasa server sends it")
    return token


def refusal(path: str, method: str, headers: Any, token: str) -> tuple[int, str] | None:
    """Why a request must be refused (status, reason), or None when it may go on."""
    if path in OPEN_PATHS:
        return None
    if not hmac.compare_digest(str(headers.get(TOKEN_HEADER, "")).encode(), token.encode()):
        return 401, "a valid action server token is required"
    content_type = str(headers.get("Content-Type", "")).split(";")[0].strip().lower()
    if method == "POST" and content_type not in JSON_TYPES:
        return 415, "the body must be application/json"
    return None


class ActionServerGuard:
    """The rasa_sdk plugin: the request checks and JSON errors on the action server's app."""

    def __init__(self, token: str) -> None:
        self.token = token

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        from sanic import response
        from sanic.exceptions import SanicException

        async def check(request: Any) -> Any:
            refused = refusal(request.path, request.method, request.headers, self.token)
            if refused:
                return response.json({"error": refused[1]}, status=refused[0])
            return None

        async def http_error(request: Any, exception: SanicException) -> Any:
            # rasa_sdk's own handler answers every exception, a 404 included, with a 500.
            return response.json({"error": str(exception)}, status=exception.status_code)

        app.register_middleware(check, "request")
        app.error_handler.add(SanicException, http_error)


def prepare() -> None:
    """Everything done to this process before rasa_sdk's command line runs in it."""
    token = action_token()
    os.environ["SANIC_HOST"] = "127.0.0.1"  # rasa_sdk's run() listens where this says
    from rasa_sdk.plugin import plugin_manager

    plugin_manager().register(ActionServerGuard(token))


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    prepare()
    import rasa_sdk.__main__

    sys.argv = ["rasa_sdk", *arguments]
    rasa_sdk.__main__.main()


if __name__ == "__main__":
    main()
