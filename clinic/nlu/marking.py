"""Marking a message's intent from the message itself, for the NLU components that recognise a
kind of message by its shape or by what it names (several questions, a follow-up, noise, a
service, an insurance plan) rather than by the classifier."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def mark_intent(message: Message, intent: str, named: bool) -> None:
    """Puts ``intent`` first when the message was recognised as one (``named``); otherwise takes away
    a classifier guess of ``intent`` (learned from examples, but this message is not one)."""
    current = (message.get(INTENT) or {}).get("name")
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
    if named:
        top = {"name": intent, "confidence": 1.0}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
    elif current == intent and ranking:
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
