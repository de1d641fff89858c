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
NEGATION_WINDOW = 5
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
        "nobody",
        "nobody's",
        "nadie",
    }
)
# Words that put the clause in the past ("I used to cut", "hace años fui suicida"): a past,
# resolved event is not a crisis now.
PAST = re.compile(
    r"\b(used to|years ago|yrs ago|long time ago|long ago|when i was|as a (kid|teen|teenager)|back in|"
    r"last (year|month|week)|la semana pasada|el mes pasado|in (19|20)\d\d|hace (anos|mucho|tiempo)|"
    r"de (nina|nino|adolescente|joven)|"
    r"el ano pasado|en (19|20)\d\d|one time|(?<!at )once(?=[,.?!]|$| before| when| years| at| during| getting)|"
    r"hace \w+ (anos|meses)|una vez (en|durante|con)|a los \d\d\b|a los (quince|dieciseis|diecisiete|dieciocho|"
    r"diecinueve|veinte|veintitantos|treinta)|\bantes\b.{0,30}\b(pensaba|queria|me cortaba|me lastimaba)|"
    r"in (college|high school)|en la (universidad|prepa|secundaria)|survived|passed away|tuve un intento|"
    r"tuv[eo] una reaccion alergica a|cuando (yo )?era (nin[oa]|joven|adolescente|chic[oa])|"
    r"clean (from|of|for))\b"
)
# "ya no aguanto", "not sure", "I don't know how": the "no" is about enduring or about certainty,
# not about what follows ("ya no aguanto me voy a matar", "I'm not sure I'll make it through the
# week", "I don't know how much longer I can keep going", "no sé cuánto más voy a poder").
CLAUSE_BREAK = re.compile(
    r"[.,;:!?\n]|\b(?:but|though|although|however|pero|aunque)\b"
    r"|\bno (?:aguanto|puedo mas|doy mas|puedo dejar de)\b|\bno se(?= (?:si|cuanto|como|hasta cuando)\b)"
    r"|\bnot sure\b|\b(?:don't|dont) know(?= (?:if|how|whether|when)\b)"
    r"|\bcan't stop\b"
)
# "What happens if someone has a seizure", "señales de sobredosis": a question about a topic.
TOPIC = re.compile(
    r"\b(what happens if (someone|somebody|a person)|que pasa si alguien|signs of|senales d[e]?|"
    r"can (you|someone|a person) (overdose|od)|se puede (tener una )?sobredosis|(is|es) (it )?possible to overdose)\b"
)
WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class LexiconEntry:
    id: str
    category: str
    language: str
    pattern: Pattern[str]
    example: str
    negated: str
    # "weak": the words are as often a question or a topic ("what is a lethal dose?") as a
    # danger; such a match counts only when the crisis model agrees (clinic/safety/decision.py).
    weak: bool = False


@dataclass(frozen=True)
class CrisisMatch:
    entry_id: str
    category: str
    matched_text: str


def load_lexicon(path: Path = DEFAULT_LEXICON) -> list[LexiconEntry]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words: dict[str, str] = data.get("words") or {}

    def expanded(pattern: str) -> str:
        for name, alternatives in words.items():
            pattern = pattern.replace(f"<{name}>", alternatives)
        return pattern

    return [
        LexiconEntry(
            id=item["id"],
            category=item["category"],
            language=item["language"],
            pattern=re.compile(expanded(item["pattern"])),
            example=item["example"],
            negated=item["negated"],
            weak=item.get("strength") == "weak",
        )
        for item in data["entries"]
    ]


@lru_cache(maxsize=4)
def cached_lexicon(path: Path = DEFAULT_LEXICON) -> list[LexiconEntry]:
    return load_lexicon(path)


def _is_negated(text: str, start: int) -> bool:
    clause_start = 0
    # Over the whole text, so that a break's look-ahead ("don't know" before "how") sees past ``start``.
    for boundary in CLAUSE_BREAK.finditer(text):
        if boundary.end() > start:
            break
        clause_start = boundary.end()
    clause_end = next((b.start() for b in CLAUSE_BREAK.finditer(text, start)), len(text))
    if PAST.search(text, clause_start, clause_end) or TOPIC.search(text, clause_start, clause_end):
        return True
    preceding = WORD.findall(text[clause_start:start])
    return any(word in NEGATORS for word in preceding[-NEGATION_WINDOW:])


@dataclass(frozen=True)
class Screening:
    match: CrisisMatch | None  # the first un-negated match of a strong entry: a crisis
    negated: bool  # some entry matched, but every match was negated ("I'm not suicidal")
    weak: CrisisMatch | None = None  # the first un-negated match of a weak entry
    matches: tuple[CrisisMatch, ...] = ()  # every un-negated match of a strong entry


def screen_in_detail(text: str | None, lexicon: list[LexiconEntry] | None = None) -> Screening:
    if not text:
        return Screening(None, False)
    normalised = normalise(text)
    negated = False
    weak: CrisisMatch | None = None
    strong: list[CrisisMatch] = []
    for entry in lexicon if lexicon is not None else cached_lexicon():
        for found in entry.pattern.finditer(normalised):
            acts_at = found.start("act") if "act" in entry.pattern.groupindex else -1
            if _is_negated(normalised, found.start()) or (acts_at >= 0 and _is_negated(normalised, acts_at)):
                negated = True
                continue
            match = CrisisMatch(entry.id, entry.category, found.group(0))
            if entry.weak:
                weak = weak or match
            else:
                strong.append(match)
                break
    if strong:
        return Screening(strong[0], False, weak, tuple(strong))
    return Screening(None, negated and weak is None, weak)


def screen(text: str | None, lexicon: list[LexiconEntry] | None = None) -> CrisisMatch | None:
    """The first un-negated match in ``text`` (of a strong entry, else of a weak one), or None."""
    screening = screen_in_detail(text, lexicon)
    return screening.match or screening.weak
