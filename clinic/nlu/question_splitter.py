"""A Rasa graph component that recognises a message asking several questions.

It runs after the crisis screen and the fallback, and leaves a crisis decision alone (a crisis
anywhere in the message still wins). When ``clinic.conversation.questions.split_questions`` finds two or more
questions, the intent becomes ``several_questions`` and the parts go into the parse data as
``question_parts``; ``action_answer_several_questions`` then classifies each part with the
running model and answers them in order. The classifier's own ranking stays below it, so the
fallback's "did you mean" and the reports still see its best guess. A message that is one
question is left exactly as the classifier made it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.questions import split_questions
from clinic.nlu.crisis_screen import SAFETY_INTENTS
from clinic.nlu.marking import mark_intent

SEVERAL_QUESTIONS_INTENT = "several_questions"
PARTS_KEY = "question_parts"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionSplitter(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionSplitter:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get("name") in SAFETY_INTENTS:
                continue  # the crisis screen's decision stands
            parts = split_questions(message.get(TEXT) or "")
            several = len(parts) >= 2
            mark_intent(message, SEVERAL_QUESTIONS_INTENT, named=several)
            if several:
                message.set(PARTS_KEY, parts, add_to_output=True)
        return messages
