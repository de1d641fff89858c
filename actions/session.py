from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic.language import OPENING_LANGUAGE_METADATA, session_language
from clinic.responses import response_variation
from clinic.safety import CRISIS_FIRST_METADATA
from clinic.web_chat import DISCLAIMER_SHOWN_METADATA


class ActionSessionStart(Action):
    """Starts every conversation with the not-medical-advice note, in the conversation's language.

    The language is the widget's setting, else the opening message's (the channels put it in
    the metadata). When the channel saw that the opening message is a crisis, the note is left
    out so the 988/911 reply is the first thing the person reads (it names 911 itself). The web
    chat's greeting card shows the note already, so its sessions leave it out too.
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
        language = session_language(metadata)
        # Only a session a visitor's message opened (our channels mark it) gets the note: one the
        # HTTP API opens has nobody to read it, and Rasa has no output channel to send it on.
        from_visitor = OPENING_LANGUAGE_METADATA in metadata
        if from_visitor and not (metadata.get(CRISIS_FIRST_METADATA) or metadata.get(DISCLAIMER_SHOWN_METADATA)):
            # Rendered here: Rasa would render the response before the slot below is set.
            note = response_variation(
                domain["responses"], "utter_disclaimer", language, tracker.get_latest_input_channel()
            )
            dispatcher.utter_message(text=note["text"])
        return [SessionStarted(), SlotSet("language", language), ActionExecuted("action_listen")]
