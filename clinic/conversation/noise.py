"""Messages that say nothing: emoji, punctuation, keyboard mashes.

They get one friendly line about what the assistant can do, with the suggested questions,
instead of a "did you mean ...?" guess built on nothing. Digits are not noise ("1" answers an
SMS menu, "92602" is a ZIP code), nor are letters without vowels ("hntngtn bch" is a place
typed in a hurry): only a word made of one keyboard row's letters ("asdfgh", "jkjkjk") is a mash.
"""

from __future__ import annotations

import re

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
MIN_RUN_LETTERS = 5
MIN_VOWELLESS_LETTERS = 4
NEAR_KEYS = 3
VOWELS = frozenset("aeiouy")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _is_mash(word: str) -> bool:
    """A run along one keyboard row ("asdfgh", "sdfsdf"), or one row's letters without a vowel ("zzzz")."""
    lowered = word.lower()
    row = next((r for r in KEYBOARD_ROWS if set(lowered) <= set(r)), None)
    if row is None:
        return False
    if len(lowered) >= MIN_VOWELLESS_LETTERS and not set(lowered) & VOWELS:
        return True
    steps = [abs(row.index(a) - row.index(b)) for a, b in zip(lowered, lowered[1:], strict=False)]
    return len(lowered) >= MIN_RUN_LETTERS and all(step <= NEAR_KEYS for step in steps)


def is_noise(text: str) -> bool:
    """Whether a message holds no words and no numbers, or only keyboard mashes."""
    stripped = (text or "").strip()
    if any(ch.isdigit() for ch in stripped):
        return False
    words = WORD.findall(stripped)
    if not words:
        return bool(stripped)
    return all(_is_mash(word) for word in words)
