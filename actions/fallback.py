from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clinics import language_of
from clinic.topics import best_guess, confirmation_prompt


class ActionConfirmTopic(Action):
    """First stage of the two-stage fallback: offers the best guess in plain words."""

    def name(self) -> str:
        return "action_confirm_topic"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        guess = best_guess(tracker.latest_message.get("intent_ranking") or [])
        if guess is None:
            dispatcher.utter_message(response="utter_ask_rephrase")
        else:
            dispatcher.utter_message(
                **confirmation_prompt(guess, tracker.get_latest_input_channel(), language_of(tracker))
            )
        return []
