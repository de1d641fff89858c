"""A Rasa graph component that marks a message as a follow-up to the conversation so far.

"how long does it last?", "and for kids?", "is there parking?", "and Irvine?", "92602": what
they mean depends on the previous answer, which the NLU pipeline cannot see. This component
only recognises the shape (clinic.conversation.context.is_follow_up) and makes the intent
``follow_up``; ``action_answer_follow_up`` resolves it against the conversation's context slots.
It runs after the crisis screen (whose decision it leaves alone) and the question splitter (a
message of several questions is not a follow-up). The classifier's ranking stays below, for reports and the fallback.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.context import is_follow_up
from clinic.nlu.crisis_screen import SAFETY_INTENTS
from clinic.nlu.marking import mark_intent
from clinic.nlu.question_splitter import SEVERAL_QUESTIONS_INTENT

FOLLOW_UP_INTENT = "follow_up"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FollowUpMarker(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FollowUpMarker:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if intent == SEVERAL_QUESTIONS_INTENT or intent in SAFETY_INTENTS:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FOLLOW_UP_INTENT]
            best = next((r for r in ranking if r.get("name") != FALLBACK_INTENT), {})
            follow_up = is_follow_up(
                message.get(TEXT) or "", best.get("name"), best.get("confidence", 0.0), message.get(ENTITIES) or []
            )
            mark_intent(message, FOLLOW_UP_INTENT, named=follow_up)
        return messages
