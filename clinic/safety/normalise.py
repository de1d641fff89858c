"""One normal form of a message for both crisis layers (the lexicon and the crisis model).

People in distress, and people hiding words from filters, write "s u i c i d e", "k1ll",
"su*cide", "diiiie", "suicde", "kiero morir" or "im gonna". Each step below undoes one of
those habits, so a lexicon entry or a model feature written once matches them all. Every
step is plain string work on a short message; tokens are cached, so a message costs
microseconds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters or digits written one at a time with spaces, dots, dashes or stars between them:
# "s u i c i d e", "k.m.s", "s-u-i-c-i-d-e". Three or more, so "a b" stays two words.
SPACED_LETTERS = re.compile(r"(?<![\w])(?:[a-z0-9][ .\-_*]+){2,}[a-z0-9](?![\w])")
# A word cut into short syllables with dashes or dots: "sui-ci-dio", "un.a.live".
CHOPPED_WORD = re.compile(r"(?<![\w])[a-z]{1,3}(?:[\-.][a-z]{1,3}){2,}(?![\w])")
# Leetspeak only between letters ("k1ll", "m4tar", "su*cide"), so "30mg", "b4" and "988" stay.
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l", "*": "i"}
LEET_INSIDE = re.compile(r"(?<=[a-z])[013457@$!|*]+(?=[a-z])")
LEET_START = re.compile(r"(?<![\w$@])[$@](?=[a-z]{3})")
STRETCHED = re.compile(r"([a-z])\1{2,}")
TOKEN = re.compile(r"[a-z']+")

# Text-message shorthand and common misspellings, written out (English and Spanish).
SHORTHAND = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "idk": "i don't know",
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "rn": "right now",
    "tn": "tonight",
    "tonite": "tonight",
    "2nite": "tonight",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "bc": "because",
    "cuz": "because",
    "abt": "about",
    "wud": "would",
    "kiero": "quiero",
    "kieres": "quieres",
    "ke": "que",
    "q": "que",
    "d": "de",
    "pa": "para",
    "stoy": "estoy",
    "aki": "aqui",
    "keda": "queda",
    "kedan": "quedan",
    "kisiera": "quisiera",
    "nesesito": "necesito",
    "xq": "porque",
    "pq": "porque",
    "sewerslide": "suicide",
    "sucide": "suicide",
    "suicde": "suicide",
    "suiside": "suicide",
    "suicid": "suicide",
    "sucidal": "suicidal",
    "suicidial": "suicidal",
    "suicdal": "suicidal",
    "myslef": "myself",
    "mysef": "myself",
    "suisidar": "suicidar",
    "suisidarme": "suicidarme",
    "suisidio": "suicidio",
}
# Crisis words worth recovering from a typo or from stretched letters.
KEYWORDS = (
    "suicide",
    "suicidal",
    "suicidarme",
    "suicidio",
    "overdose",
    "overdosed",
    "overdosing",
    "myself",
    "unalive",
    "lethal",
    "kill",
    "die",
    "dead",
    "morir",
    "morirme",
    "matarme",
    "muerta",
    "muerto",
    "sobredosis",
    "cortarme",
    "lastimarme",
    # Neighbours of the words above that mean something else: kept as they are.
    "overdoses",
    "suicidar",
    "suicida",
    "suicidas",
    "muerte",
    "matarse",
    "cortarse",
    "lastimarse",
    "morirse",
)
KEYWORD_SET = frozenset(KEYWORDS)
# Everyday words one letter from a crisis word: a typo fix must not turn "dolor fuerte" (strong
# pain) into "dolor muerte", "la puerta" into "la muerta" or "overdoing it" into "overdosing".
ORDINARY_NEIGHBOURS = frozenset(
    {
        "fuerte",
        "fuertes",
        "suerte",
        "puerta",
        "puertas",
        "puerto",
        "huerta",
        "huerto",
        "portarme",
        "overdoing",
        "overdone",
    }
)
SQUEEZED_KEYWORDS = {re.sub(r"([a-z])\1+", r"\1", word): word for word in KEYWORDS}


def fold(text: str) -> str:
    """Lower case, accents removed, curly quotes straightened."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of neighbours as one edit; stops early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# Words longer than any real one (random or pasted text) are not cached: they would fill the
# cache with strings never seen again.
CACHED_TOKEN_LENGTH = 30


def normal_token(token: str) -> str:
    """One word's normal form: shorthand written out, stretched or misspelt crisis words fixed."""
    return _cached_normal_token(token) if len(token) <= CACHED_TOKEN_LENGTH else _normal_token(token)


@lru_cache(maxsize=32768)
def _cached_normal_token(token: str) -> str:
    return _normal_token(token)


def _normal_token(token: str) -> str:
    if token in SHORTHAND:
        return SHORTHAND[token]
    if token in KEYWORD_SET or token in ORDINARY_NEIGHBOURS:
        return token
    squeezed = re.sub(r"([a-z])\1+", r"\1", token)
    if squeezed in SQUEEZED_KEYWORDS:
        return SQUEEZED_KEYWORDS[squeezed]
    token = STRETCHED.sub(r"\1\1", token)
    if len(token) >= 6:
        limit = 2 if len(token) >= 9 else 1
        for keyword in KEYWORDS:
            if len(keyword) >= 6 and _osa_distance(token, keyword, limit) <= limit:
                return keyword
    return token


def _join(found: re.Match[str]) -> str:
    return re.sub(r"[ .\-_*]", "", found.group(0))


def normalise(text: str) -> str:
    """The message in the normal form both crisis layers read."""
    text = fold(text)
    text = SPACED_LETTERS.sub(_join, text)
    text = CHOPPED_WORD.sub(_join, text)
    text = LEET_INSIDE.sub(lambda found: "".join(LEET[ch] for ch in found.group(0)), text)
    text = LEET_START.sub(lambda found: LEET[found.group(0)], text)
    text = TOKEN.sub(lambda found: normal_token(found.group(0)), text)
    return re.sub(r"\s+", " ", text).strip()
