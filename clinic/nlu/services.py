"""A Rasa graph component that marks "which clinic offers X" questions (``clinic_services``).

The classifier reads "which clinic has physical therapy?" as a question about physical
therapy; the directory's service lists answer it better. The decision is
``clinic.conversation.services.names_a_service``; it never overrides the crisis screen, a
message of several questions or a follow-up.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.services import names_a_service
from clinic.nlu.crisis_screen import SAFETY_INTENTS
from clinic.nlu.follow_ups import FOLLOW_UP_INTENT
from clinic.nlu.marking import mark_intent
from clinic.nlu.noise import NOISE_INTENT
from clinic.nlu.question_splitter import SEVERAL_QUESTIONS_INTENT

SERVICES_INTENT = "clinic_services"
LEFT_ALONE = frozenset({*SAFETY_INTENTS, SEVERAL_QUESTIONS_INTENT, FOLLOW_UP_INTENT, NOISE_INTENT})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ServiceQuestionMarker(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ServiceQuestionMarker:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if intent in LEFT_ALONE:
                continue
            mark_intent(message, SERVICES_INTENT, names_a_service(message.get(TEXT) or ""))
        return messages
