"""The language of a conversation: English or Spanish, per message and for the conversation.

Each message is identified by lingua (an offline detector that ships its models), restricted to
English and Spanish; what it cannot judge, a short word list does (content/language.yml):
text-message shorthand ("porfa", "grax", "thx") and words shared by both languages ("ok",
"no", a ZIP, a clinic's city) that say nothing. The conversation's language changes only when
the visitor clearly changes it (``conversation_language``): one word like "ok" or "gracias"
after ten English messages is not a switch, a full sentence or two messages in a row are, and
so is asking ("english please", "en español", "¿habla español?").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
DEFAULT_WORDS = Path(__file__).resolve().parent.parent / "content" / "language.yml"
DEFAULT_WIDGET_STRINGS = Path(__file__).resolve().parent.parent / "content" / "widget_strings.yml"

# From this many words and this confidence on, one message is enough to switch; lingua gives
# ~0.55 to two-word messages like "cita pls" or "text me", right but unsure.
SWITCH_WORDS = 3
CONFIDENT = 0.8

WORD = re.compile(r"[a-z0-9']+")
# Keyboard noise ("hhhhhhhh", "xzkq") tells no language: lingua would still pick one.
NOISE = re.compile(r"^[^aeiouy]+$|(.)\1{3,}")


def fold(text: str) -> str:
    """Lower case without accents and with "¿¡" as spaces: "¿Habla ESPAÑOL?" -> " habla espanol?"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("¿", " ").replace("¡", " ")


@dataclass(frozen=True)
class Detection:
    """What one message says about its language."""

    language: str | None  # "en", "es", or None when the message does not tell
    confidence: float
    words: int
    requested: str | None = None  # the language the visitor asked for, if they did

    def as_output(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "confidence": round(self.confidence, 3),
            "words": self.words,
            "requested": self.requested,
        }

    @classmethod
    def from_output(cls, output: Any) -> Detection | None:
        if not isinstance(output, dict):
            return None
        language = output.get("language")
        requested = output.get("requested")
        return cls(
            language if language in LANGUAGES else None,
            float(output.get("confidence") or 0.0),
            int(output.get("words") or 0),
            requested if requested in LANGUAGES else None,
        )


@dataclass(frozen=True)
class WordLists:
    requests: dict[str, tuple[str, ...]]  # language -> folded phrases asking for it
    shorthand: dict[str, frozenset[str]]  # language -> words only that language's writers use
    neutral: frozenset[str]  # words that tell no language
    spanish_speaker: tuple[str, ...]  # folded phrases asking for a Spanish-speaking person

    @classmethod
    def load(cls, path: Path = DEFAULT_WORDS) -> WordLists:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            {lang: tuple(" ".join(WORD.findall(fold(p))) for p in raw["requests"][lang]) for lang in LANGUAGES},
            {lang: frozenset(fold(w) for w in raw["shorthand"][lang]) for lang in LANGUAGES},
            frozenset(fold(w) for w in raw["neutral"]),
            tuple(" ".join(WORD.findall(fold(p))) for p in raw["spanish_speaker_requests"]),
        )

    def asks_for_spanish_speaker(self, text: str | None) -> bool:
        """ "¿Hay alguien que hable español?", "someone who speaks Spanish for my mom"."""
        joined = f" {' '.join(WORD.findall(fold(text or '')))} "
        return any(f" {phrase} " in joined for phrase in self.spanish_speaker)


@lru_cache(maxsize=1)
def default_words() -> WordLists:
    return WordLists.load()


RECENT_DETECTIONS = 256


class LanguageIdentifier:
    """English or Spanish for one message; about 20 microseconds a message once loaded."""

    def __init__(self, words: WordLists) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._words = words
        self._codes = {Language.ENGLISH: "en", Language.SPANISH: "es"}
        # High-accuracy mode: the low-accuracy one reads trigrams only and guesses on one or
        # two words. Preloaded, so the first message does not pay for loading the models.
        self._lingua = LanguageDetectorBuilder.from_languages(*self._codes).with_preloaded_language_models().build()
        # The channel asks first (the session start needs the language before parsing), then the
        # NLU asks again about the same text: the latest answers are remembered.
        self._recent: dict[str, Detection] = {}

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> LanguageIdentifier:
        """One identifier per process (~60 MB of models), shared by the NLU and the channels."""
        return cls(default_words())

    def requested(self, words: list[str]) -> str | None:
        joined = f" {' '.join(words)} "
        for language in LANGUAGES:
            if any(f" {phrase} " in joined for phrase in self._words.requests[language]):
                return language
        return None

    def detect(self, text: str | None) -> Detection:
        text = text or ""
        detection = self._recent.get(text)
        if detection is None:
            if len(self._recent) >= RECENT_DETECTIONS:
                self._recent.clear()
            detection = self._recent[text] = self._detect(text)
        return detection

    def _detect(self, text: str) -> Detection:
        words = WORD.findall(fold(text))
        requested = self.requested(words)
        shorthand = self._words.shorthand
        telling = [
            w
            for w in words
            if w not in self._words.neutral
            and not w.isdigit()
            and (not NOISE.search(w) or any(w in shorthand[lang] for lang in LANGUAGES))
        ]
        if not telling:
            return Detection(None, 0.0, len(words), requested)
        votes = {lang: sum(w in self._words.shorthand[lang] for w in telling) for lang in LANGUAGES}
        if votes["en"] != votes["es"] and len(telling) <= SWITCH_WORDS:
            # Shorthand decides short messages, which lingua has too little text to judge.
            winner = max(votes, key=lambda lang: votes[lang])
            return Detection(winner, 1.0, len(words), requested)
        best = self._lingua.compute_language_confidence_values(" ".join(telling))[0]
        return Detection(self._codes[best.language], best.value, len(words), requested)


def conversation_language(
    current: str | None, detection: Detection | None, previous: Detection | None = None
) -> str | None:
    """The conversation's language after a message, given the one before it.

    A request wins. A conversation without a language takes the first one a message tells.
    Otherwise it switches on a confident message of ``SWITCH_WORDS`` words or more, or on a
    second message in a row in the other language; "ok", "gracias" or "Irvine" alone do not.
    """
    if detection is None:
        return current
    if detection.requested:
        return detection.requested
    detected = detection.language
    if detected is None or detected == current:
        return current
    if current is None:
        return detected
    if detection.words >= SWITCH_WORDS and detection.confidence >= CONFIDENT:
        return detected
    if previous is not None and previous.language == detected:
        return detected
    return current


def session_language(metadata: dict[str, Any] | None) -> str | None:
    """The language a new conversation starts in: the widget's setting, else its first message's."""
    metadata = metadata or {}
    for key in ("language", OPENING_LANGUAGE_METADATA):
        value = metadata.get(key)
        if isinstance(value, str) and value.lower()[:2] in LANGUAGES:
            return value.lower()[:2]
    return None


# Set by the channels on every message (channels/guard.py): the opening message's language,
# for the session start, which runs before the message is parsed.
OPENING_LANGUAGE_METADATA = "opening_language"


@lru_cache(maxsize=4)
def widget_strings(language: str, path: Path = DEFAULT_WIDGET_STRINGS) -> dict[str, str]:
    """The chat widget's interface words in ``language`` (English when there are none)."""
    strings = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(strings.get(language) or strings["en"])
