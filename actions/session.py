from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher


class ActionSessionStart(Action):
    """Starts every conversation with the not-medical-advice note."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_disclaimer")
        return [SessionStarted(), ActionExecuted("action_listen")]
