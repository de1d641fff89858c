"""The Rasa server's HTTP API as the staff console uses it, always with the API token.

The token is RASA_API_TOKEN or the one generated once into var/ (bin/run-all starts Rasa with
the same), so the console, the website chat channel's staff route and Rasa agree on it.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import requests

from clinic.conversation_ids import InvalidConversationId, is_well_formed, url_segment
from clinic.local_secrets import local_secret
from clinic.staff_mode import StaffMember, staff_message_event

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """The Rasa server did not answer, or answered with an error."""


def api_token() -> str:
    return local_secret("RASA_API_TOKEN", "rasa-api-token")


def token_matches(presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(str(presented).encode(), api_token().encode())


def default_rasa_url() -> str:
    return os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"


@dataclass(frozen=True)
class RasaApi:
    base_url: str
    token: str
    timeout: float = 5.0

    @classmethod
    def from_env(cls) -> RasaApi:
        return cls(default_rasa_url(), api_token(), float(os.environ.get("RASA_API_TIMEOUT", "5")))

    def _call(self, method: str, path: str, params: dict[str, str] | None = None, **kwargs: Any) -> Any:
        try:
            response = requests.request(
                method,
                f"{self.base_url}{path}",
                params={**(params or {}), "token": self.token},
                timeout=self.timeout,
                **kwargs,
            )
        except requests.RequestException as error:
            raise RasaUnavailable(type(error).__name__) from error
        if response.status_code >= 300:
            raise RasaUnavailable(f"status {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise RasaUnavailable("not JSON") from error

    @staticmethod
    def _conversation_path(conversation_id: str, rest: str) -> str:
        """``/conversations/<id><rest>`` with the id checked and encoded, so no id reaches another path."""
        try:
            return f"/conversations/{url_segment(conversation_id)}{rest}"
        except InvalidConversationId as error:
            raise RasaUnavailable("malformed conversation id") from error

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker (events, slots, ``paused``); no events when Rasa has no message of it.

        For an unknown id Rasa answers with a freshly started session (its opening message
        included) that it never stored; that is not the conversation, so it is left out.
        """
        path = self._conversation_path(conversation_id, "/tracker")
        tracker = self._call("GET", path, params={"include_events": "ALL"})
        events = tracker.get("events") or []
        if not any(event.get("event") == "user" for event in events):
            return {"events": [], "slots": {}, "paused": False}
        return tracker

    def events(self, conversation_id: str) -> list[dict[str, Any]]:
        """Every event of the conversation; empty when Rasa has no message of it."""
        return self.tracker(conversation_id)["events"]

    def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Appends events (staff turns, pause, resume) to a conversation Rasa knows.

        Only to a known one: appending to an unknown one would make Rasa start a session with no
        channel to say its opening message in.
        """
        if not self.events(conversation_id):
            raise RasaUnavailable("unknown conversation")
        self._call("POST", self._conversation_path(conversation_id, "/tracker/events"), json=events)

    def append_staff_turn(self, conversation_id: str, text: str, staff_id: int, staff: StaffMember) -> None:
        """Adds a staff reply to the conversation's history as a bot event marked as staff, with its author."""
        self.append_events(conversation_id, [staff_message_event(text, staff, staff_id, time.time())])

    def end_safety_state(self, conversation_id: str) -> bool:
        """Takes the conversation out of the safety state (staff resolved its crisis escalation).

        False when Rasa has no message of the conversation (nothing to change).
        """
        if not self.events(conversation_id):
            return False
        event = {"event": "slot", "name": "safety_state", "value": False, "timestamp": time.time()}
        self._call("POST", self._conversation_path(conversation_id, "/tracker/events"), json=[event])
        return True

    def deliver_to_web_visitor(
        self, conversation_id: str, text: str, staff: StaffMember | None = None, notice: str | None = None
    ) -> str:
        """Emits a staff message (or a staff-mode notice) into the visitor's chat.

        Returns what the visitor's tabs acknowledged: "shown" (an open panel), "delivered" (a tab
        whose panel is closed) or "queued" (no tab connected: it waits in the history).
        """
        if not is_well_formed(conversation_id):
            raise RasaUnavailable("malformed conversation id")
        body: dict[str, Any] = {"conversation_id": conversation_id, "text": text, "notice": notice}
        if staff is not None:
            body["staff"] = {"name": staff.name, "role": staff.role}
        answer = self._call("POST", "/webhooks/socketio/staff_message", json=body)
        return str(answer.get("status") or ("delivered" if answer.get("delivered") else "queued"))

    def web_presence(self, conversation_id: str) -> dict[str, bool]:
        """Whether the web visitor has a tab connected now, and whether its chat panel is open."""
        if not is_well_formed(conversation_id):
            raise RasaUnavailable("malformed conversation id")
        answer = self._call("POST", "/webhooks/socketio/presence", json={"conversation_id": conversation_id})
        return {"connected": bool(answer.get("connected")), "panel_open": bool(answer.get("panel_open"))}
