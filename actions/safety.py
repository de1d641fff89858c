"""The safety path: the crisis reply for its kind, the direct question, and its answer.

The choices live in clinic/safety/followup.py; these actions read the tracker and dispatch.
The urgent escalation is recorded by ``action_record_crisis`` (actions/escalation.py), after
the reply has gone out.
"""

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from clinic.safety.followup import classify_safety_answer, crisis_kind, crisis_response, topic_to_return_to


class ActionRespondToCrisis(Action):
    """The reply for the kind of crisis first; the conversation enters the safety state."""

    def name(self) -> str:
        return "action_respond_to_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kind = crisis_kind(tracker.latest_message)
        dispatcher.utter_message(response=crisis_response(kind))
        return [SlotSet("crisis_kind", kind), SlotSet("safety_state", True), SlotSet("safety_answer", None)]


class ValidateSafetyCheckForm(FormValidationAction):
    def name(self) -> str:
        return "validate_safety_check_form"

    async def validate_safety_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"safety_answer": classify_safety_answer(str(value or ""))}


class ActionSafetyAnswerNo(Action):
    """A clear no: thanks, 988 still there, and back to the visitor's question."""

    def name(self) -> str:
        return "action_safety_answer_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_safety_answer_no")
        topic = topic_to_return_to(tracker.events)
        dispatcher.utter_message(response=f"utter_{topic}" if topic else "utter_safety_back_to_questions")
        return [SlotSet("safety_answer", None)]


class ActionLeaveSafetyState(Action):
    """The visitor clearly moved on to a question about the clinic's topics (data/rules.yml)."""

    def name(self) -> str:
        return "action_leave_safety_state"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return [SlotSet("safety_state", False)]
