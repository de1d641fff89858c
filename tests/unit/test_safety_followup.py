"""What follows a crisis decision: the reply and reason of each kind, and the direct question."""

import pytest

from clinic.safety.followup import (
    NO,
    UNSURE,
    YES,
    classify_safety_answer,
    crisis_kind,
    crisis_response,
    escalation_reason,
    topic_to_return_to,
)


@pytest.mark.parametrize(
    ("answer", "meaning"),
    [
        ("yes", YES),
        ("yeah I am", YES),
        ("sí", YES),
        ("no", NO),
        ("No, I'm just exhausted", NO),
        ("nope, not at all", NO),
        ("no estoy pensando en eso", NO),
        ("para nada", NO),
        ("maybe", UNSURE),
        ("no sé", UNSURE),
        ("I don't know", UNSURE),
        ("sometimes", UNSURE),
        ("no... well, sometimes", UNSURE),
        ("a veces", UNSURE),
        ("how much is an infusion?", UNSURE),
        ("", UNSURE),
    ],
)
def test_only_a_clear_no_counts_as_no(answer, meaning):
    assert classify_safety_answer(answer) == meaning


def test_the_kind_comes_from_the_crisis_screen_and_defaults_to_suicide():
    overdose = {"crisis_screen": {"outcome": "crisis", "kind": "overdose_poisoning"}}
    assert crisis_kind(overdose) == "overdose_poisoning"
    # A "yes" to the direct question is no crisis message itself: the question was about suicide.
    assert crisis_kind({"crisis_screen": {"outcome": "none", "kind": None}}) == "suicide_self_harm"
    assert crisis_kind(None) == "suicide_self_harm"


@pytest.mark.parametrize(
    ("kind", "response", "reason"),
    [
        ("suicide_self_harm", "utter_crisis_suicide_self_harm", "crisis"),
        ("overdose_poisoning", "utter_crisis_overdose_poisoning", "overdose"),
        ("medical_emergency", "utter_crisis_medical_emergency", "medical_emergency"),
        ("other_in_danger", "utter_crisis_other_in_danger", "other_in_danger"),
        (None, "utter_crisis_suicide_self_harm", "crisis"),
    ],
)
def test_each_kind_has_its_reply_and_escalation_reason(kind, response, reason):
    assert crisis_response(kind) == response and escalation_reason(kind) == reason


def user(intent, classified=None):
    screen = {"outcome": "possible_crisis", "classified_intent": classified} if classified else {}
    return {"event": "user", "parse_data": {"intent": {"name": intent}, "crisis_screen": screen}}


def test_a_clear_no_returns_to_the_faq_topic_of_the_ambiguous_message():
    events = [user("greet"), user("possible_crisis", {"name": "ketamine_duration", "confidence": 0.8}), user("deny")]
    assert topic_to_return_to(events) == "ketamine_duration"


def test_no_topic_when_the_ambiguous_message_asked_no_clear_question():
    unsure = [user("possible_crisis", {"name": "ketamine_duration", "confidence": 0.2})]
    not_faq = [user("possible_crisis", {"name": "greet", "confidence": 0.9})]
    assert topic_to_return_to(unsure) is None and topic_to_return_to(not_faq) is None
    assert topic_to_return_to([user("greet")]) is None
