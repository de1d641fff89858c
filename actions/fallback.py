from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from clinic.topics import best_guess, topic_label


class ActionAskAffirmation(Action):
    """First stage of the two-stage fallback: offers the best guess in plain words."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        guess = best_guess(ranking)
        if guess is None:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        dispatcher.utter_message(
            response="utter_ask_affirmation",
            topic=topic_label(guess),
            buttons=[
                {"title": "Yes", "payload": f"/{guess}"},
                {"title": "No, something else", "payload": "/out_of_scope"},
                {"title": "Talk to a person", "payload": "/request_human"},
            ],
        )
        return []
