"""Keeps the conversation's language in the ``language`` slot, from what each message says.

Rasa's supported hook for changing the tracker before the next action: a policy's mandatory
events are applied whichever policy wins, before the action runs, so the reply to the very
message that switched the language is already in the new one. This policy never votes for an
action (all its probabilities are zero); it only sets the slot, by the rule of
``clinic.language.conversation_language``, from the language the NLU found in this message
and in the one before (clinic/nlu/language_identifier.py).
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.language import Detection, conversation_language
from clinic.nlu.language_identifier import LANGUAGE_KEY

SLOT = "language"


def latest_detections(tracker: DialogueStateTracker) -> tuple[Detection | None, Detection | None]:
    """What the latest user message and the one before it said about their language."""
    found: list[Detection | None] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            found.append(Detection.from_output((event.parse_data or {}).get(LANGUAGE_KEY)))
            if len(found) == 2:
                break
    found += [None] * (2 - len(found))
    return found[0], found[1]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True)
class ConversationLanguagePolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The lowest priority: with all-zero probabilities it never wins a tie anyway.
        return {"priority": 0}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        current = tracker.get_slot(SLOT)
        latest, previous = latest_detections(tracker)
        language = conversation_language(current, latest, previous)
        # The same answer for every prediction of a turn, so the slot is set once.
        events = [SlotSet(SLOT, language)] if language != current else []
        return self._prediction(self._default_predictions(domain), events=events)
