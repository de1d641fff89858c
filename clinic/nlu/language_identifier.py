"""A Rasa graph component that says which language each parsed message is in.

The parse result carries ``language`` (clinic/language.py: the language, the confidence, the
number of words and the language the visitor asked for, if any), for every channel and the
``/model/parse`` API alike. The conversation's language is decided from it by
``clinic.nlu.language_policy.ConversationLanguagePolicy``, which sees the conversation.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.language import LanguageIdentifier

LANGUAGE_KEY = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MessageLanguage(GraphComponent):
    def __init__(self, identifier: LanguageIdentifier) -> None:
        self._identifier = identifier

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageLanguage:
        return cls(LanguageIdentifier.load())

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            detection = self._identifier.detect(message.get(TEXT))
            message.set(LANGUAGE_KEY, detection.as_output(), add_to_output=True)
        return messages
