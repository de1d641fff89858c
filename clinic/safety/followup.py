"""What follows a crisis decision in the conversation: replies, reasons, the direct question.

Plain functions over parse data and text, so the actions stay thin and the choices are tested
without Rasa.
"""

from __future__ import annotations

import re
from typing import Any

from clinic.safety.corpus import CRISIS_KINDS
from clinic.safety.normalise import normalise
from clinic.topics import FAQ_INTENTS

DEFAULT_KIND = "suicide_self_harm"
# The escalation reason of each kind (staff.escalations.models.Reason); all are urgent.
REASON_OF_KIND = {
    "suicide_self_harm": "crisis",
    "overdose_poisoning": "overdose",
    "medical_emergency": "medical_emergency",
    "other_in_danger": "other_in_danger",
}
YES, NO, UNSURE = "yes", "no", "unsure"
# How sure the classifier must have been that the ambiguous message also asked an FAQ question.
TOPIC_MIN_CONFIDENCE = 0.5
# Doubt keeps the crisis path open ("safe-messaging: when in doubt, act as if yes").
DOUBT = re.compile(
    r"\b(maybe|sometimes|kind of|kinda|sort of|a little|a bit|not sure|i don't know|dunno|i guess|"
    r"probably|at times|on and off|a veces|tal vez|quizas|quiza|no se|un poco|puede ser|mas o menos|creo que si)\b"
)
YES_WORDS = re.compile(r"^(yes|yeah|yea|yep|yup|y|i am|i do|i have|si|claro|la verdad si|honestly yes|ok yes)\b")
CLEAR_NO = re.compile(
    r"^(no|nope|nah|never|not at all|of course not|absolutely not|definitely not|i'm not|i am not|"
    r"no i'm not|nunca|para nada|claro que no|no estoy|de ninguna manera)\b"
)


def crisis_kind(parse_data: dict[str, Any] | None) -> str:
    """The kind of crisis the screen found in this message (the direct question's yes: suicide)."""
    screen = (parse_data or {}).get("crisis_screen") or {}
    kind = screen.get("kind")
    return kind if screen.get("outcome") == "crisis" and kind in CRISIS_KINDS else DEFAULT_KIND


def crisis_response(kind: str | None) -> str:
    return f"utter_crisis_{kind if kind in CRISIS_KINDS else DEFAULT_KIND}"


def escalation_reason(kind: str | None) -> str:
    return REASON_OF_KIND.get(kind or DEFAULT_KIND, "crisis")


def classify_safety_answer(text: str | None) -> str:
    """The answer to "are you thinking about suicide or about hurting yourself?".

    Only a clear no counts as no; a yes, a doubt, or anything else keeps the crisis path.
    """
    answer = normalise(text or "")
    if not answer or DOUBT.search(answer):
        return UNSURE
    if YES_WORDS.match(answer):
        return YES
    if CLEAR_NO.match(answer):
        return NO
    return UNSURE


def topic_to_return_to(events: list[dict[str, Any]]) -> str | None:
    """The FAQ topic of the ambiguous message that raised the direct question, if it asked one.

    The crisis screen keeps the classifier's own intent of that message for this.
    """
    for event in reversed(events):
        parse = event.get("parse_data") or {}
        if event.get("event") != "user" or (parse.get("intent") or {}).get("name") != "possible_crisis":
            continue
        classified = (parse.get("crisis_screen") or {}).get("classified_intent") or {}
        name: str | None = classified.get("name")
        if name in FAQ_INTENTS and classified.get("confidence", 0.0) >= TOPIC_MIN_CONFIDENCE:
            return name
        return None
    return None
