"""Dialogue context: recognising a follow-up and resolving it against the conversation so far.

The conversation's context lives in slots (``topic``: the last answered intent; ``subject``:
ketamine, fibromyalgia, medications, ..., or clinic; ``clinic_context``; ``day_asked``). A
follow-up leans on them: "how long does it last?", "and for kids?", "is that covered",
"is there parking?", "and Irvine?", "what about tomorrow", or a bare place or ZIP after a
location question. ``is_follow_up`` decides from the message alone, cheaply, in the NLU
pipeline (clinic/nlu/follow_ups.py); ``resolve`` picks the answer with the slots, in
``action_answer_follow_up``. What the words mean is content (content/dialogue.yml).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from clinic.places import neighbouring_places

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "content" / "dialogue.yml"
CLINIC = "clinic"
# Follow-ups are short; a long message says what it is about.
MAX_FOLLOW_UP_WORDS = 9
MAX_BARE_WORDS = 4
OPENERS = re.compile(
    r"^\s*(?:¿\s*)?(?:and|n|also|plus|what about|wat about|wht about|how about|same for|same with|what if|"
    r"y|y qué tal|qué tal)\b",
    re.IGNORECASE,
)
ANAPHORA = frozenset(
    "it its it's that thats that's this they them their theirs those these there one ones".split()
    + "esa ese eso esto ellos".split()
)
ZIP_CODE = re.compile(r"\b9\d{4}\b")
WORD = re.compile(r"[\w'’-]+", re.UNICODE)
# Intents a short message is better left to: greetings, thanks, yes/no, hand-offs.
NOT_FOLLOW_UPS = frozenset(
    {
        "greet",
        "goodbye",
        "thank_you",
        "affirm",
        "deny",
        "bot_challenge",
        "request_human",
        "book_appointment",
        "medical_advice",
        "crisis",
    }
)
CONFIDENT = 0.5
MIN_FUZZY_LETTERS = 6
FUZZY_CUTOFF = 0.85
CLINIC_INTENTS = frozenset({"clinic_locations", "clinic_hours", "clinic_contact"})
# "this week", "that morning": a time, not something said before.
DEICTIC_TIME = re.compile(
    r"\b(?:this|that|these)\s+(?:week|weekend|month|morning|afternoon|evening|year|time|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
PLACE_ENTITIES = ("city", "zip_code")
# "my 15 year old", "a 9-yr-old": a child named by age.
CHILD_AGE = re.compile(r"\b(?:1[0-7]|[1-9])[ -]?(?:years?|yrs?|y/?o)\b(?:[ -]old)?", re.IGNORECASE)
# Aspects that need a clinic whatever else the message says ("where would I park my car").
CLINIC_ONLY_ASPECTS = frozenset({"parking", "transit"})


DAY_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|tmrw|tmr|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekend|weekends|"
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    r"christmas|xmas|thanksgiving|new year'?s|labor day|memorial day|july 4|4th of july|"
    r"mañana|hoy|lunes|martes|miércoles|jueves|viernes|sábado|sabado|domingo)\b",
    re.IGNORECASE,
)


def day_mentioned(text: str) -> str | None:
    match = DAY_WORDS.search(text or "")
    return match.group(0).lower() if match else None


@dataclass(frozen=True)
class Table:
    subjects_by_intent: dict[str, str]
    subject_words: dict[str, list[str]]
    aspects: dict[str, list[str]]
    clinic_aspects: frozenset[str]
    aspect_of_intent: dict[str, str]
    answers: dict[str, dict[str, str]]


@lru_cache(maxsize=2)
def load_service_words(path: Path = DEFAULT_TABLE) -> dict[str, list[str]]:
    """The directory's services as people name them (content/dialogue.yml ``service_words``)."""
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["service_words"])


@lru_cache(maxsize=2)
def load_table(path: Path = DEFAULT_TABLE) -> Table:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Table(
        subjects_by_intent=raw["subjects_by_intent"],
        subject_words=raw["subject_words"],
        aspects=raw["aspects"],
        clinic_aspects=frozenset(raw["clinic_aspects"]),
        aspect_of_intent=raw["aspect_of_intent"],
        answers=raw["answers"],
    )


def normalise(text: str) -> str:
    return " " + " ".join(w.lower().replace("’", "'") for w in WORD.findall(text or "")) + " "


def has_phrase(normalised: str, phrases: list[str]) -> bool:
    return any(f" {phrase.lower()} " in normalised for phrase in phrases)


def subject_named(text: str, table: Table | None = None) -> str | None:
    """The subject a message names itself ("ketamine", "lyrica", "fibro", "ketamin"), if any."""
    table = table or load_table()
    normalised = normalise(text)
    found = next((s for s, words in table.subject_words.items() if has_phrase(normalised, words)), None)
    if found is not None:
        return found
    # Typos of the longer names ("ketamin", "fibromyalga", "cymbalt").
    names = {word: s for s, words in table.subject_words.items() for word in words if len(word) >= MIN_FUZZY_LETTERS}
    for word in normalised.split():
        if len(word) >= MIN_FUZZY_LETTERS:
            close = difflib.get_close_matches(word, list(names), n=1, cutoff=FUZZY_CUTOFF)
            if close:
                return names[close[0]]
    return None


def aspect_asked(text: str, table: Table | None = None) -> str | None:
    """What a message asks about ("side effects", "parking", "for kids"), if it says."""
    table = table or load_table()
    if CHILD_AGE.search(text or ""):
        return "kids"
    normalised = normalise(text)
    return next((a for a, words in table.aspects.items() if has_phrase(normalised, words)), None)


def is_follow_up(text: str, intent: str | None, confidence: float, entities: list[dict[str, Any]]) -> bool:
    """Whether a message leans on the conversation so far rather than standing alone."""
    if intent in NOT_FOLLOW_UPS and confidence >= CONFIDENT:
        return False
    words = WORD.findall(text or "")
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return False
    table = load_table()
    if OPENERS.match(text):
        return True
    has_place = (
        any(e.get("entity") in (*PLACE_ENTITIES, CLINIC) for e in entities)
        or bool(ZIP_CODE.search(text))
        or (len(words) <= MAX_BARE_WORDS and _names_neighbouring_place(text))
    )
    aspect = aspect_asked(text, table)
    if aspect in CLINIC_ONLY_ASPECTS:
        return True
    bare = len(words) <= MAX_BARE_WORDS
    if bare and day_mentioned(text) and not has_place:
        # "tomorrow?", "sunday then": the day of the clinic in context.
        return True
    if intent in CLINIC_INTENTS and confidence >= CONFIDENT:
        # "wen r u open", "irvine clinic hours pls": a clinic question complete in itself.
        return _has_anaphora(text) and not has_place
    if bare and (has_place or aspect):
        # "fullerton", "92602", "side effects?", "by train?"
        return True
    return _has_anaphora(text) and subject_named(text, table) is None and not has_place


def _names_neighbouring_place(text: str) -> bool:
    """A place in a county around Orange County ("corona", "long beach"), which spaCy's
    Orange County entity ruler does not know."""
    words = [w.lower() for w in WORD.findall(text or "")]
    known = neighbouring_places()
    return any(" ".join(words[i:j]) in known for i in range(len(words)) for j in range(i + 1, len(words) + 1))


def _has_anaphora(text: str) -> bool:
    words = WORD.findall(DEICTIC_TIME.sub(" ", text or ""))
    return bool({w.lower().replace("’", "'") for w in words} & ANAPHORA)


@dataclass(frozen=True)
class Context:
    topic: str | None = None
    subject: str | None = None
    clinic: str | None = None
    day: str | None = None


@dataclass(frozen=True)
class Resolution:
    """What answers a follow-up: a response or message name, or a clinic answer, or a question back.

    ``kind`` is "answer" (``name`` is a response in domain.yml or a message in
    content/messages.yml), "clinic" (``name`` is the clinic intent to answer, for ``clinic``
    or, with ``place``, the nearest clinic) or "clarify" (``name`` says what to ask).
    ``slots`` is the context the answer leaves behind.
    """

    kind: str
    name: str
    clinic: str | None = None
    day_text: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)


def resolve(
    text: str,
    classifier_intent: str | None,
    clinic_named: str | None,
    place_named: bool,
    context: Context,
    table: Table | None = None,
    classifier_confidence: float = 0.0,
) -> Resolution:
    """The answer to a follow-up, given what the conversation was about.

    A classifier confident (``CONFIDENT``) about an FAQ intent supplies what the words and the
    context leave open, when the message does not refer back with "it" or "that": its subject
    when the conversation has none ("and the symtoms besides pain?"); and, about the subject
    in context, its answer when the message names no aspect ("and what about pacing, I keep
    hearing that word").
    """
    table = table or load_table()
    intent_subject = table.subjects_by_intent.get(classifier_intent or "")
    sure = classifier_confidence >= CONFIDENT and intent_subject is not None
    # Not for "how long does it last?": there the classifier would be guessing what "it" is.
    confident = sure and not _has_anaphora(text)
    aspect = aspect_asked(text, table)
    day = day_mentioned(text)
    new_subject = subject_named(text, table)
    about_clinic = (
        clinic_named is not None
        or place_named
        or day is not None
        or aspect in table.clinic_aspects
        or (new_subject is None and context.subject == CLINIC and aspect is None)
    )
    if about_clinic and new_subject is None:
        return _resolve_clinic(aspect, day, text, clinic_named, place_named, classifier_intent, context, table)
    subject = new_subject or (context.subject if context.subject != CLINIC else None)
    if subject is None and confident and intent_subject != CLINIC:
        subject = intent_subject
    if subject is None and aspect == "cost":
        # The cost answer covers every treatment, so "is it covered?" needs no subject.
        return Resolution("answer", "utter_cost_insurance", slots={"topic": "cost_insurance"})
    if subject is None:
        return Resolution("clarify", "clarify_subject")
    aspect = (
        aspect or table.aspect_of_intent.get(classifier_intent or "") or table.aspect_of_intent.get(context.topic or "")
    )
    if aspect is None and new_subject is not None:
        aspect = "definition"
    name = table.answers.get(subject, {}).get(aspect or "")
    if name is None and sure and intent_subject == subject:
        name = f"utter_{classifier_intent}"
    if name is None:
        return Resolution("clarify", "clarify_aspect", slots={"subject": subject})
    slots = {"subject": subject}
    if name.startswith("utter_"):
        slots["topic"] = name.removeprefix("utter_")
    return Resolution("answer", name, slots=slots)


def _resolve_clinic(
    aspect: str | None,
    day: str | None,
    text: str,
    clinic_named: str | None,
    place_named: bool,
    classifier_intent: str | None,
    context: Context,
    table: Table,
) -> Resolution:
    clinic = clinic_named or context.clinic
    previous = table.aspect_of_intent.get(context.topic or "") if context.subject == CLINIC else None
    if previous is None and clinic_named is not None:
        # A clinic named without context: what the classifier read, or where it is.
        previous = table.aspect_of_intent.get(classifier_intent or "", "location")
    if day is not None:
        aspect = "hours"
    elif place_named and clinic_named is None:
        # A bare place or ZIP: the nearest clinic.
        return Resolution(
            "clinic", "clinic_locations", slots={"subject": CLINIC, "topic": "clinic_locations", "clinic_context": None}
        )
    aspect = aspect if aspect in table.clinic_aspects else previous
    if aspect is None:
        return Resolution("clarify", "clarify_subject")
    if aspect in CLINIC_ONLY_ASPECTS and clinic is None:
        # The aspect waits in the topic for the clinic's name.
        return Resolution("clarify", "clarify_clinic", slots={"subject": CLINIC, "topic": f"clinic_{aspect}"})
    intent = {
        "location": "clinic_locations",
        "hours": "clinic_hours",
        "contact": "clinic_contact",
        "parking": "clinic_parking",
        "transit": "clinic_transit",
    }[aspect]
    # The message's own words when it names the day ("xmas eve opening times"), else the context's.
    day_text = text if day else (context.day if aspect == "hours" and clinic_named is not None else None)
    slots = {"subject": CLINIC, "topic": intent, "clinic_context": clinic}
    if day is not None:
        slots["day_asked"] = day
    return Resolution("clinic", intent, clinic=clinic, day_text=day_text, slots=slots)
