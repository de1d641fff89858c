"""Splitting a message into its questions (clinic/conversation/questions.py)."""

import pytest

from clinic.conversation.questions import looks_like_question, split_questions


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "do you open on sundays and where is the orange office?",
            ["do you open on sundays", "where is the orange office?"],
        ),
        ("wut r the risks n how long is each visit", ["wut r the risks", "how long is each visit"]),
        ("Quick q: how is it given, and can I drive after?", ["how is it given", "can I drive after?"]),
        ("What is CBT? Does insurance cover it?", ["What is CBT?", "Does insurance cover it?"]),
        ("how often are boosters needed; also what's the cost", ["how often are boosters needed", "what's the cost"]),
        ("¿Qué es la ketamina y cuánto cuesta?", ["¿Qué es la ketamina", "cuánto cuesta?"]),
        (
            "is there a cure? what helps the fog? can I exercise? does diet matter?",
            ["is there a cure?", "what helps the fog?", "can I exercise?", "does diet matter?"],
        ),
    ],
)
def test_a_message_asking_several_things_is_split_in_order(text, parts):
    assert split_questions(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "is ketamine safe and effective for fibro?",
        "do you take blue shield and aetna",
        "My back and neck hurt and I sleep badly. What could help?",
        "hello there. thanks for being here",
        "how long does a session last?",
        "I called yesterday and nobody answered",
    ],
)
def test_a_message_asking_one_thing_stays_whole(text):
    assert split_questions(text) == [text]


def test_small_talk_around_the_questions_is_left_out():
    assert split_questions("hi! where are you located? and what time do you open?") == [
        "where are you located?",
        "what time do you open?",
    ]


def test_a_question_is_told_by_its_mark_or_its_first_word():
    assert looks_like_question("can I bring my husband")
    assert looks_like_question("parking?") is False
    assert looks_like_question("the parking situation?")
    assert not looks_like_question("my hands hurt")
    assert looks_like_question("¿Dónde están?")
