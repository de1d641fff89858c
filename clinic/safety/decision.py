"""The crisis decision: the lexicon and the crisis model together, three outcomes.

- crisis: an un-negated lexicon entry, or the model at or above its crisis threshold with a
  crisis kind. The kind (suicide/self-harm, overdose/poisoning, medical emergency now, someone
  else in danger) chooses the reply.
- possible_crisis: a lexicon entry of hopelessness ("I can't go on", "me rindo"), or the model
  between its two thresholds, or sure of danger but not of which kind (an ambiguous message
  such as "I can't do this anymore"). The assistant asks directly.
- none: everything else, whatever the intent classifier thinks.

The lexicon decides alone when a strong entry matches, because those entries are explicit; a
weak entry ("lethal dose", "overdose", "suicidio") needs the model's agreement, and a phrase the
lexicon saw only negated ("I'm not suicidal") is no crisis whatever the model says. The model
catches what the lexicon cannot list (indirect wording, other phrasings) and tells a question
about risks from a person at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from clinic.safety.corpus import CRISIS_KINDS, NONE, POSSIBLE
from clinic.safety.language import detect_language
from clinic.safety.lexicon import DEFAULT_LEXICON, LexiconEntry, cached_lexicon, screen_in_detail
from clinic.safety.model import DEFAULT_MODEL, Score, cached_model
from clinic.safety.normalise import normalise

CRISIS = "crisis"
# A weak lexicon entry ("lethal dose", "overdose", "suicide") counts when the model gives the
# message at least this probability: enough to tell "what's a lethal dose of tramadol" from
# "do you screen for suicide risk?".
WEAK_CONFIRM = 0.5
# Lexicon categories to the kind of crisis they are.
# When one message names several dangers, the reply is for the first of these it names: someone
# else in danger needs to be helped, and an overdose needs 911 (its reply also gives 988).
KIND_PRIORITY = ("other_in_danger", "overdose_poisoning", "medical_emergency", "suicide_self_harm")
KIND_OF_CATEGORY = {
    "suicidal_intent": "suicide_self_harm",
    "self_harm": "suicide_self_harm",
    "overdose": "overdose_poisoning",
    "medical_emergency": "medical_emergency",
    "other_in_danger": "other_in_danger",
}


@dataclass(frozen=True)
class Decision:
    outcome: str  # crisis, possible_crisis or none
    kind: str | None  # for a crisis: one of CRISIS_KINDS
    source: str | None  # "lexicon", "model" or None
    probability: float
    entry: str | None = None  # the lexicon entry that matched
    language: str | None = None  # "en", "es", or None when the message does not tell
    negated: bool = False  # the lexicon saw only negated phrases ("I'm not suicidal")

    def as_output(self) -> dict[str, object]:
        """What the parse result carries (never the message itself)."""
        return {
            "outcome": self.outcome,
            "kind": self.kind,
            "source": self.source,
            "probability": round(self.probability, 4),
            "entry": self.entry,
            "language": self.language,
        }


RECENT_DECISIONS = 64


class ScoringModel(Protocol):
    """What the detector asks of a crisis model (``CrisisModel``, or cross-validation's stand-in)."""

    crisis_threshold: float
    possible_threshold: float

    def score(self, normalised: str) -> Score: ...


class CrisisDetector:
    def __init__(self, lexicon: list[LexiconEntry], model: ScoringModel) -> None:
        self.lexicon = lexicon
        self.model = model
        # The channel guard and the NLU pipeline both ask about the same message, within one
        # request: a few recent texts suffice, and each may hold up to 20,000 characters.
        self.decide = lru_cache(maxsize=RECENT_DECISIONS)(self._decide)

    @classmethod
    def load(cls, lexicon: Path = DEFAULT_LEXICON, model: Path = DEFAULT_MODEL) -> CrisisDetector:
        return _cached_detector(lexicon, model)

    def _decide(self, text: str | None) -> Decision:
        language = detect_language(text)
        if not text or not text.strip():
            return Decision(NONE, None, None, 0.0, language=language)
        screening = screen_in_detail(text, self.lexicon)
        score = self.model.score(normalise(text))
        matches = [m for m in screening.matches if m.category != POSSIBLE]
        hopeless = [m for m in screening.matches if m.category == POSSIBLE]
        if not matches and screening.weak is not None and score.probability >= WEAK_CONFIRM:
            matches = [screening.weak]
        if matches:
            kinds = {KIND_OF_CATEGORY.get(match.category, "suicide_self_harm"): match for match in reversed(matches)}
            # "Someone passed out" does not say who; the model tells when it is someone else.
            if score.kind == "other_in_danger" and score.probability >= self.model.crisis_threshold:
                kinds["other_in_danger"] = matches[0]
            kind = next(kind for kind in KIND_PRIORITY if kind in kinds)
            return Decision(CRISIS, kind, "lexicon", score.probability, kinds[kind].entry_id, language)
        if screening.negated:
            # "I'm not suicidal", "no me tomé demasiadas": the lexicon read the negation the model cannot.
            return Decision(NONE, None, None, score.probability, None, language, True)
        if score.probability >= self.model.crisis_threshold and score.kind in CRISIS_KINDS:
            return Decision(CRISIS, score.kind, "model", score.probability, None, language)
        if hopeless:
            return Decision(POSSIBLE, None, "lexicon", score.probability, hopeless[0].entry_id, language)
        if score.probability >= self.model.possible_threshold:
            return Decision(POSSIBLE, None, "model", score.probability, None, language)
        return Decision(NONE, None, None, score.probability, None, language)


@lru_cache(maxsize=4)
def _cached_detector(lexicon: Path, model: Path) -> CrisisDetector:
    return CrisisDetector(cached_lexicon(lexicon), cached_model(model))
