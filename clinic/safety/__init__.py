"""Crisis safety: the lexicon, the crisis model, and the decision they make together."""

from clinic.safety.lexicon import (
    CRISIS_FIRST_METADATA,
    DEFAULT_LEXICON,
    CrisisMatch,
    LexiconEntry,
    Screening,
    cached_lexicon,
    load_lexicon,
    screen,
    screen_in_detail,
)
from clinic.safety.normalise import normalise

__all__ = [
    "CRISIS_FIRST_METADATA",
    "DEFAULT_LEXICON",
    "CrisisMatch",
    "LexiconEntry",
    "Screening",
    "cached_lexicon",
    "load_lexicon",
    "normalise",
    "screen",
    "screen_in_detail",
]
