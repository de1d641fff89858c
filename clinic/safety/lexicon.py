"""The deterministic crisis layer: does a message say someone is in danger right now?

The lexicon (content/safety_lexicon.yml) explains how entries are chosen; this module only
matches them over the normalised text (clinic/safety/normalise.py: case, accents, spaced-out
letters, leetspeak, stretched letters, misspellings) and cancels a match that a negation word
shortly before it, in the same clause, turns around.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from re import Pattern

import yaml

from clinic.safety.normalise import normalise

DEFAULT_LEXICON = Path(__file__).resolve().parents[2] / "content" / "safety_lexicon.yml"
# Message metadata a channel sets when the opening message of a session is a crisis.
CRISIS_FIRST_METADATA = "crisis_first"
NEGATION_WINDOW = 3
NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "nope",
        "dont",
        "don't",
        "doesnt",
        "doesn't",
        "didnt",
        "didn't",
        "wont",
        "won't",
        "wouldnt",
        "wouldn't",
        "isnt",
        "isn't",
        "arent",
        "aren't",
        "wasnt",
        "wasn't",
        "havent",
        "haven't",
        "hasnt",
        "hasn't",
        "aint",
        "ain't",
        "nunca",
        "jamas",
        "ni",
    }
)
CLAUSE_BREAK = re.compile(r"[.,;:!?\n]|\b(?:but|though|although|however|pero|aunque)\b")
WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class LexiconEntry:
    id: str
    category: str
    language: str
    pattern: Pattern[str]
    example: str
    negated: str


@dataclass(frozen=True)
class CrisisMatch:
    entry_id: str
    category: str
    matched_text: str


def load_lexicon(path: Path = DEFAULT_LEXICON) -> list[LexiconEntry]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        LexiconEntry(
            id=item["id"],
            category=item["category"],
            language=item["language"],
            pattern=re.compile(item["pattern"]),
            example=item["example"],
            negated=item["negated"],
        )
        for item in data["entries"]
    ]


@lru_cache(maxsize=4)
def cached_lexicon(path: Path = DEFAULT_LEXICON) -> list[LexiconEntry]:
    return load_lexicon(path)


def _is_negated(text: str, start: int) -> bool:
    clause_start = 0
    for boundary in CLAUSE_BREAK.finditer(text, 0, start):
        clause_start = boundary.end()
    preceding = WORD.findall(text[clause_start:start])
    return any(word in NEGATORS for word in preceding[-NEGATION_WINDOW:])


@dataclass(frozen=True)
class Screening:
    match: CrisisMatch | None  # the first un-negated match: a crisis
    negated: bool  # some entry matched, but every match was negated ("I'm not suicidal")


def screen_in_detail(text: str | None, lexicon: list[LexiconEntry] | None = None) -> Screening:
    if not text:
        return Screening(None, False)
    normalised = normalise(text)
    negated = False
    for entry in lexicon if lexicon is not None else cached_lexicon():
        for found in entry.pattern.finditer(normalised):
            if not _is_negated(normalised, found.start()):
                return Screening(CrisisMatch(entry.id, entry.category, found.group(0)), False)
            negated = True
    return Screening(None, negated)


def screen(text: str | None, lexicon: list[LexiconEntry] | None = None) -> CrisisMatch | None:
    """The first un-negated crisis match in ``text``, or None."""
    return screen_in_detail(text, lexicon).match
