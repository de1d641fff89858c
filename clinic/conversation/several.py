"""Answering several questions in one message: what answers each part, and fitting them in an SMS.

``action_answer_several_questions`` classifies each part (clinic/conversation/questions.py) with
the running model, then asks ``plan_part`` what answers it. Over SMS every answer is cut to its
key sentence (SMS variants put it first) so that all of them fit the reply's segment budget
without the renderer's ellipsis.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clinic.sms_render import GSM7_SEGMENT, MAX_SEGMENTS, UCS2_SEGMENT, is_gsm7, plain_text, sms_length

MAX_PARTS_ANSWERED = 3
CLINIC_INTENTS = frozenset({"clinic_locations", "clinic_hours", "clinic_contact"})
PERSON_INTENTS = frozenset({"request_human", "book_appointment"})
# Parts that ask nothing the assistant answers on its own.
UNANSWERABLE = frozenset({"nlu_fallback", "out_of_scope", "several_questions", "affirm", "deny"})
FOLLOW_UP = "follow_up"
# Parts recognised with less confidence than this are reported as not answered, not guessed.
MIN_PART_CONFIDENCE = 0.3
SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class PartPlan:
    """What answers one part.

    ``kind``: "response" (``name`` a domain response), "clinic" (``name`` a clinic intent),
    "person" (an offer of the staff), "follow_up" (leans on the parts before it), "crisis"
    (the whole message gets the crisis reply) or "unanswered".
    """

    kind: str
    name: str
    text: str


def plan_part(text: str, parse: dict[str, Any], responses: Sequence[str]) -> PartPlan:
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name") or "nlu_fallback", float(intent.get("confidence") or 0.0)
    if name == FOLLOW_UP:
        return PartPlan(FOLLOW_UP, name, text)
    if name in UNANSWERABLE or confidence < MIN_PART_CONFIDENCE:
        return PartPlan("unanswered", name, text)
    if name in CLINIC_INTENTS:
        return PartPlan("clinic", name, text)
    if name in PERSON_INTENTS:
        return PartPlan("person", name, text)
    if name == "crisis":
        return PartPlan("crisis", name, text)
    if f"utter_{name}" in responses:
        return PartPlan("response", f"utter_{name}", text)
    return PartPlan("unanswered", name, text)


def key_sentence(text: str) -> str:
    """The first sentence of an answer, as plain text."""
    flat = " ".join(plain_text(text).split())
    return SENTENCE.split(flat, maxsplit=1)[0]


def sms_budget(texts: Sequence[str]) -> int:
    """Characters one SMS reply can carry for ``texts`` (their alphabet decides the segment size)."""
    segment = GSM7_SEGMENT if is_gsm7(" ".join(texts)) else UCS2_SEGMENT
    # Sentences are packed whole into segments, so leave a sentence's worth of slack per segment.
    return segment * MAX_SEGMENTS - segment // 2


def fit_sms(texts: Sequence[str]) -> list[str]:
    """Each answer shortened to its key sentence, and shortened further until all fit one reply.

    A key sentence longer than its share is cut at a word boundary, ending with a full stop,
    so the SMS renderer never has to add its ellipsis.
    """
    shortened = [key_sentence(t) for t in texts]
    budget = sms_budget(shortened)
    gsm7 = is_gsm7(" ".join(shortened))
    share = max(40, budget // max(1, len(shortened)) - 1)
    total = sum(sms_length(t, gsm7) + 1 for t in shortened)
    if total <= budget:
        return shortened
    fitted = []
    for text in shortened:
        if sms_length(text, gsm7) > share:
            cut = text[:share].rsplit(" ", 1)[0].rstrip(",;:-")
            text = cut + "."
        fitted.append(text)
    return fitted
