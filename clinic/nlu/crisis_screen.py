"""A Rasa graph component that applies the crisis lexicon to every parsed message.

It runs after the intent classifier (and the fallback classifier), so every channel and the
``/model/parse`` API get the same decision: a lexicon match makes the intent ``crisis`` with
confidence 1.0, whatever the classifier said. The classifier's own ``crisis`` prediction
stands as a second net, except when the lexicon found only negated phrases ("I'm not
suicidal"): the classifier sees the word, not the negation, so the next intent is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.safety import DEFAULT_LEXICON, LexiconEntry, load_lexicon, screen_in_detail

CRISIS_INTENT = "crisis"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisScreen(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # None means the lexicon shipped beside this code, resolved when the model loads.
        return {"lexicon": None}

    def __init__(self, lexicon: list[LexiconEntry]) -> None:
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisScreen:
        return cls(load_lexicon(Path(config["lexicon"] or DEFAULT_LEXICON)))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            screening = screen_in_detail(message.get(TEXT), self._lexicon)
            if screening.negated:
                self._drop_classifier_crisis(message)
            match = screening.match
            if match is None:
                continue
            previous = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT, {"name": CRISIS_INTENT, "confidence": 1.0}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": CRISIS_INTENT, "confidence": 1.0}]
                + [{**r, "confidence": 0.0} for r in previous if r.get("name") != CRISIS_INTENT],
                add_to_output=True,
            )
            message.set("crisis_screen", {"entry": match.entry_id, "category": match.category}, add_to_output=True)
        return messages

    @staticmethod
    def _drop_classifier_crisis(message: Message) -> None:
        if (message.get(INTENT) or {}).get("name") != CRISIS_INTENT:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
