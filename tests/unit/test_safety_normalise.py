"""The normal form both crisis layers read, and the language of a message."""

import sys

import pytest

from clinic.safety.language import detect_language
from clinic.safety.normalise import normalise


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("s u i c i d e", "suicide"),
        ("S.U.I.C.I.D.E", "suicide"),
        ("thinking of s-e-l-f h-a-r-m", "thinking of selfharm"),  # the lexicon reads self[- ]?harm
        ("sui-ci-dio", "suicidio"),
        ("i wanna k1ll myself", "i want to kill myself"),
        ("su*cide", "suicide"),
        ("m4tarme", "matarme"),
        ("$uicide", "suicide"),
        ("diiiiie", "die"),
        ("moriiiir", "morir"),
        ("killlll mysefl", "kill myself"),
        ("im so suicdal", "i'm so suicidal"),
        ("kiero morir", "quiero morir"),
        ("Tomé demasiadas pastillas", "tome demasiadas pastillas"),
        ("I\u2019m done", "i'm done"),
        ("sewerslide", "suicide"),
        # Spanish text-message shorthand, so a phrase is written once in the lexicon.
        ("stoy en la azotea", "estoy en la azotea"),
        ("no puedo dejar d lastimarme pa q", "no puedo dejar de lastimarme para que"),
        ("pensamientos suicidas", "pensamientos suicidas"),  # not "suicidal": Spanish stays Spanish
    ],
)
def test_disguised_and_misspelt_words_get_one_normal_form(typed, normal):
    assert normalise(typed) == normal


@pytest.mark.parametrize(
    "typed",
    ["I take 300mg b4 bed", "call 988 or 911", "my zip is 92618", "a lot", "muerte", "overdoses", "suicida"],
)
def test_numbers_doses_and_ordinary_words_are_left_alone(typed):
    assert normalise(typed) == typed.lower()


@pytest.mark.parametrize(
    "typed",
    ["dolor fuerte en el pecho", "que tengas buena suerte", "deje la puerta abierta", "i think i'm overdoing it"],
)
def test_everyday_words_one_letter_from_a_crisis_word_are_left_alone(typed):
    # "fuerte" is one edit from "muerte", "puerta" from "muerta", "overdoing" from "overdosing".
    assert normalise(typed) == typed


def test_sms_shorthand_for_quedar_and_does_not_is_written_out():
    assert normalise("ya no me kedan ganas") == "ya no me quedan ganas"
    assert normalise("the world doesnt need me") == "the world doesn't need me"


def test_someone_elses_act_is_not_turned_into_ones_own():
    # "matarse" is one letter from "matarme": a typo fix must not change who is in danger.
    assert normalise("mi esposo quiere matarse") == "mi esposo quiere matarse"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("quiero una cita", "es"),
        ("ya me cansé de vivir así", "es"),
        ("gracias", "es"),
        ("I want an appointment", "en"),
        ("thanks so much", "en"),
        ("ok", None),
        ("988", None),
        ("", None),
        (None, None),
    ],
)
def test_language_is_told_by_common_words_or_not_at_all(text, language):
    assert detect_language(text) == language


def test_only_words_of_a_real_length_are_cached():
    module = sys.modules[normalise.__module__]
    module._cached_normal_token.cache_clear()
    pasted = "ab" * 40
    assert normalise(f"{pasted} kiero morir") == f"{pasted} quiero morir"
    assert module._cached_normal_token.cache_info().currsize == 2
