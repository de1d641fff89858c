"""Carrier keywords in any language: opt-out, opt-in, help (content/sms_keywords.yml).

The one place that decides whether a text is STOP, START or HELP, and in which language, so
the SMS channel confirms in the sender's language. The rule (keywords alone with courtesy
words, or a phrase that is only about our texts) is written in the content file's header.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

DEFAULT_KEYWORDS = Path(__file__).resolve().parent.parent / "content" / "sms_keywords.yml"
Kind = Literal["stop", "start", "help", "opt_in_when_opted_out"]
# Checked in this order: an opt-out wins over everything else in the same message.
KINDS: tuple[Kind, ...] = ("stop", "start", "help", "opt_in_when_opted_out")
# "don't stop texting me" asks for the opposite of an opt-out.
NEGATED = r"(?<!\bdon t )(?<!\bdont )(?<!\bdo not )(?<!\bnever )"


@dataclass(frozen=True)
class Keyword:
    kind: Kind
    language: str
    # What matched, normalised ("stop", "stop texting"): kept in the consent ledger, never the message.
    matched: str


def normalise(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _alternation(words: list[str]) -> str:
    # Longest first, so "stop all" is tried before "stop".
    return "|".join(re.escape(normalise(w)) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Language:
    code: str
    alone: dict[str, re.Pattern[str]]
    phrases: re.Pattern[str]


@lru_cache(maxsize=2)
def _languages(path: Path = DEFAULT_KEYWORDS) -> tuple[_Language, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    languages = []
    for code, entry in data.items():
        polite = _alternation(entry["polite"])
        alone: dict[str, re.Pattern[str]] = {}
        for kind in KINDS:
            words = _alternation(entry[kind])
            # Keywords (one or more) with only courtesy words around them.
            alone[kind] = re.compile(rf"^(?:(?:{polite}) )*(?P<word>{words})(?: (?:{words}|{polite}))*$")
        phrases = re.compile(rf"{NEGATED}\b(?P<word>{_alternation(entry['stop_phrases'])})\b")
        languages.append(_Language(code, alone, phrases))
    return tuple(languages)


def read_keyword(body: str) -> Keyword | None:
    """The carrier keyword a text amounts to, or None when it is an ordinary message."""
    text = normalise(body)
    if not text:
        return None
    languages = _languages()
    for kind in KINDS:
        for language in languages:
            match = language.alone[kind].match(text)
            if match:
                return Keyword(kind, language.code, match.group("word"))
        if kind == "stop":
            for language in languages:
                match = language.phrases.search(text)
                if match:
                    return Keyword("stop", language.code, match.group("word"))
    return None
