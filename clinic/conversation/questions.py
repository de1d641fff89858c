"""Splitting a visitor's message into the questions it asks.

"are you open saturdays and where is the laguna hills office?" holds two questions; the
classifier sees one message and answers one. The split is by rules on the message's own
structure: sentence ends ("?", ".", "!", new lines, ";") and joining words ("and", "also",
"plus", SMS "n"/"&") followed by a word that opens a question ("where", "how", "is", "can"...).
A message counts as several questions only when at least two of its parts look like
questions, so "is it safe and effective?" or a story followed by one question stays whole.
The rules are cheap enough to run on every message in the NLU pipeline.
"""

from __future__ import annotations

import re

# Words that open a question in English and Spanish, including SMS spellings.
QUESTION_OPENERS = frozenset(
    """
    what whats what's wat wut which who whom whose where wheres where's wher when whens wen why how hows how's
    is isnt isn't are arent aren't am was were do does doesnt doesn't did dont don't can cant can't could
    will would wont won't should shall may might has have had r u any anything tell explain
    que qué cual cuál cuales cuáles donde dónde cuando cuándo como cómo cuanto cuánto cuanta cuánta
    cuantos cuántos cuantas cuántas por quien quién hay tienen tiene puedo pueden es son está estan están
    """.split()
)
# "and"-like words that may start a new question inside a sentence.
JOINERS = r"(?:and|also|plus|n|&|y|también|tambien|or|o)"
SENTENCE_BREAK = re.compile(r"(?<=[?!])\s*|(?<=[.;])\s+|\n+")
JOIN_BREAK = re.compile(rf",?\s+(?:{JOINERS}\s+)+(?=(\S+))", re.IGNORECASE)
LEADING_JOINER = re.compile(rf"^(?:{JOINERS}|so|but|then|pero)\b[\s,]*", re.IGNORECASE)
WORD = re.compile(r"[\w'’]+", re.UNICODE)
# A lead-in that announces the questions ("Two things:", "quick q -") is not a part of its own.
LEAD_IN = re.compile(r"^[^:?]{0,30}:\s+")


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def looks_like_question(part: str) -> bool:
    """A part that asks something: it ends with "?" (or opens with "¿") or opens with a question word."""
    words = _words(LEADING_JOINER.sub("", part.strip()))
    if not words:
        return False
    if (part.strip().endswith("?") or part.strip().startswith("¿")) and len(words) >= 2:
        return True
    return words[0] in QUESTION_OPENERS and len(words) >= 3


def _split_sentence(sentence: str) -> list[str]:
    """A sentence cut before each joining word that is followed by a question opener."""
    parts: list[str] = []
    start = 0
    for match in JOIN_BREAK.finditer(sentence):
        following = match.group(1).lower().strip("¿¡,")
        if following in QUESTION_OPENERS and looks_like_question(sentence[start : match.start()]):
            parts.append(sentence[start : match.start()])
            start = match.end()
    parts.append(sentence[start:])
    return parts


def split_questions(text: str) -> list[str]:
    """The questions in ``text``, in order, when it asks two or more; otherwise ``[text]``.

    Parts that ask nothing ("hi", "thanks so much.") are left out of a split message.
    """
    stripped = LEAD_IN.sub("", (text or "").strip())
    parts = []
    for sentence in SENTENCE_BREAK.split(stripped):
        for part in _split_sentence(sentence or ""):
            cleaned = LEADING_JOINER.sub("", part.strip(" ,;")).strip()
            if cleaned:
                parts.append(cleaned)
    questions = [part for part in parts if looks_like_question(part)]
    if len(questions) < 2:
        return [text]
    return questions
