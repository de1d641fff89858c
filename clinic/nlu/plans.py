"""A Rasa graph component that marks questions about one insurance plan (``insurance_plan``).

"do you take Medicare?", "Medi-Cal?", "Kaiser?", "¿aceptan Medi-Cal?": the classifier reads
them as the general cost question; the directory's list of plans (sample data) answers them
better. The decision is ``clinic.conversation.plans.asks_about_a_plan``; like the service
marker it never overrides the crisis screen or a message of several questions.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.plans import asks_about_a_plan
from clinic.nlu.crisis_screen import SAFETY_INTENTS
from clinic.nlu.marking import mark_intent
from clinic.nlu.question_splitter import SEVERAL_QUESTIONS_INTENT

PLAN_INTENT = "insurance_plan"
# A request for a person or a booking that names a plan stays one ("book me, I have Medicare").
# A follow-up or "noise" naming a plan ("what about Kaiser?", "Kaiser?") is a plan question.
KEPT = frozenset({*SAFETY_INTENTS, SEVERAL_QUESTIONS_INTENT, "request_human", "book_appointment", "medical_advice"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InsurancePlanMarker(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InsurancePlanMarker:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if intent in KEPT:
                continue
            mark_intent(message, PLAN_INTENT, asks_about_a_plan(message.get(TEXT) or ""))
        return messages
