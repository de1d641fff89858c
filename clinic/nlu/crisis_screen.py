"""A Rasa graph component that makes the crisis decision for every parsed message.

It runs right after the intent classifier, so every channel and the ``/model/parse`` API get
the same decision, made by the lexicon and the dedicated crisis model together
(clinic/safety/decision.py). A crisis makes the intent ``crisis`` with confidence 1.0, whatever
the classifier said; a possible crisis makes it ``possible_crisis``. The parse result carries
``crisis_screen`` (outcome, kind, source, language, and for a possible crisis the classifier's
own intent, which a clear "no" to the direct question returns to). The conversation's language
is kept by clinic/nlu/language_policy.py, from clinic/nlu/language_identifier.py. The intent
classifier never decides crisis alone: its own ``crisis`` or ``possible_crisis`` prediction is
replaced by its next intent when the screen finds none (it fired on "quiero" when its only
Spanish examples were crisis ones). The fallback classifier runs after this one, so that next
intent meets the same confidence threshold as any other.
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

from clinic.safety.corpus import POSSIBLE
from clinic.safety.decision import CRISIS, CrisisDetector
from clinic.safety.lexicon import DEFAULT_LEXICON
from clinic.safety.model import DEFAULT_MODEL

CRISIS_INTENT = "crisis"
POSSIBLE_INTENT = "possible_crisis"
SAFETY_INTENTS = (CRISIS_INTENT, POSSIBLE_INTENT)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisScreen(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # None means the lexicon shipped beside this code and the crisis model built into
        # build/crisis/, resolved when the model loads.
        return {"lexicon": None, "crisis_model": None}

    def __init__(self, detector: CrisisDetector) -> None:
        self._detector = detector

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisScreen:
        return cls(
            CrisisDetector.load(
                Path(config["lexicon"] or DEFAULT_LEXICON), Path(config["crisis_model"] or DEFAULT_MODEL)
            )
        )

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            decision = self._detector.decide(text)
            output = decision.as_output()
            if decision.outcome == POSSIBLE:
                classified = message.get(INTENT) or {}
                if classified.get("name") not in SAFETY_INTENTS:
                    output["classified_intent"] = classified
            message.set("crisis_screen", output, add_to_output=True)
            if decision.outcome == CRISIS:
                self._set_intent(message, CRISIS_INTENT)
            elif decision.outcome == POSSIBLE:
                self._set_intent(message, POSSIBLE_INTENT)
            else:
                self._drop_classifier_safety_intents(message)
        return messages

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        previous = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in SAFETY_INTENTS]
        message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
        message.set(
            INTENT_RANKING_KEY,
            [{"name": name, "confidence": 1.0}] + [{**r, "confidence": 0.0} for r in previous],
            add_to_output=True,
        )

    @staticmethod
    def _drop_classifier_safety_intents(message: Message) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        kept = [r for r in ranking if r.get("name") not in SAFETY_INTENTS]
        if len(kept) == len(ranking):
            return
        message.set(INTENT_RANKING_KEY, kept, add_to_output=True)
        if (message.get(INTENT) or {}).get("name") in SAFETY_INTENTS:
            message.set(INTENT, kept[0] if kept else {"name": None, "confidence": 0.0}, add_to_output=True)
