"""A Rasa graph component that marks messages saying nothing (emoji, "???", keyboard mashes).

The classifier would otherwise guess from punctuation or symbols ("Did you mean saying
goodbye?"); ``clinic.conversation.noise.is_noise`` decides, and the intent becomes ``noise``,
answered by one friendly line with the suggested questions. It runs after the crisis screen and
leaves its decision alone.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.noise import is_noise
from clinic.nlu.crisis_screen import SAFETY_INTENTS
from clinic.nlu.marking import mark_intent

NOISE_INTENT = "noise"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NoiseMarker(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NoiseMarker:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get("name") in SAFETY_INTENTS:
                continue  # the crisis screen's decision stands
            mark_intent(message, NOISE_INTENT, named=is_noise(message.get(TEXT) or ""))
        return messages
