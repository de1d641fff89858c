from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from clinic.safety import CRISIS_FIRST_METADATA
from clinic.web_chat import DISCLAIMER_SHOWN_METADATA


class ActionSessionStart(Action):
    """Starts every conversation with the not-medical-advice note.

    When the channel saw that the opening message is a crisis, the note is left out so the
    988/911 reply is the first thing the person reads (it names 911 itself). The web chat's
    greeting card shows the note already, so its sessions leave it out too.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        if not (metadata.get(CRISIS_FIRST_METADATA) or metadata.get(DISCLAIMER_SHOWN_METADATA)):
            dispatcher.utter_message(response="utter_disclaimer")
        return [SessionStarted(), ActionExecuted("action_listen")]
