"""The intent classifier on messages that carry no words."""

import pytest

from clinic.nlu.intent_classifier import has_content


@pytest.mark.parametrize("text", ["??", "?!", "!!!", "...", ":-)"])
def test_punctuation_alone_goes_to_the_fallback(rest, text):
    assert rest.parse(text)["intent"]["name"] == "nlu_fallback"


def test_a_word_with_punctuation_is_still_understood(rest):
    assert rest.parse("hi??")["intent"]["name"] == "greet"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("??", False), ("", False), (" \t", False), ("é?", True), ("3", True), ("$$$?", True), ("👍", True)],
)
def test_has_content(text, expected):
    assert has_content(text) is expected
