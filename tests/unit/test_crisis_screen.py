"""The crisis screen in the NLU pipeline: lexicon and crisis model decide, the classifier never alone."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from clinic.nlu.crisis_screen import CrisisScreen
from clinic.safety.decision import CrisisDetector


@pytest.fixture(scope="module")
def screen():
    return CrisisScreen(CrisisDetector.load())


def classified(text, intent="ketamine_onset", confidence=0.97, second=("crisis", 0.01)):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set(
        "intent_ranking", [{"name": intent, "confidence": confidence}, {"name": second[0], "confidence": second[1]}]
    )
    return message


def test_a_lexicon_match_overrides_the_classifier(screen):
    [message] = screen.process([classified("how fast does ketamine work, I want to kill myself")])
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0] == {"name": "crisis", "confidence": 1.0}
    assert ranking[1] == {"name": "ketamine_onset", "confidence": 0.0}
    decision = message.get("crisis_screen")
    assert decision["outcome"] == "crisis" and decision["kind"] == "suicide_self_harm"
    assert decision["source"] == "lexicon" and decision["entry"] == "kill_myself"


def test_no_crisis_leaves_the_classifier_alone(screen):
    [message] = screen.process([classified("this pain is killing me")])
    assert message.get("intent") == {"name": "ketamine_onset", "confidence": 0.97}
    assert message.get("crisis_screen")["outcome"] == "none"


def test_the_classifiers_own_crisis_guess_never_decides_alone(screen):
    # The classifier's crisis intent fired on "quiero" when its only Spanish examples were crisis ones.
    [message] = screen.process([classified("quiero saber el precio", "crisis", 0.8, ("cost_insurance", 0.15))])
    assert message.get("intent") == {"name": "cost_insurance", "confidence": 0.15}
    assert [r["name"] for r in message.get("intent_ranking")] == ["cost_insurance"]


def test_the_classifiers_possible_crisis_guess_is_dropped_too(screen):
    [message] = screen.process([classified("quisiera una cita", "possible_crisis", 0.6, ("book_appointment", 0.3))])
    assert message.get("intent")["name"] == "book_appointment"


def test_a_negated_phrase_vetoes_the_classifiers_crisis_guess(screen):
    message = classified("I'm not suicidal, how fast does ketamine work?", "crisis", 0.6, ("ketamine_onset", 0.3))
    [screened] = screen.process([message])
    assert screened.get("intent") == {"name": "ketamine_onset", "confidence": 0.3}


def test_a_possible_crisis_asks_and_keeps_the_classifiers_topic(screen):
    [message] = screen.process([classified("I feel like giving up on everything, how long do infusions last?")])
    assert message.get("intent") == {"name": "possible_crisis", "confidence": 1.0}
    decision = message.get("crisis_screen")
    assert decision["outcome"] == "possible_crisis"
    assert decision["classified_intent"] == {"name": "ketamine_onset", "confidence": 0.97}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("i swallowed all my tramadol an hour ago", "overdose_poisoning"),
        ("my throat is closing up after the new pill", "medical_emergency"),
        ("my brother says he's going to kill himself", "other_in_danger"),
        ("me quiero quitar la vida", "suicide_self_harm"),
    ],
)
def test_a_crisis_carries_its_kind(screen, text, kind):
    [message] = screen.process([classified(text)])
    assert message.get("crisis_screen")["kind"] == kind


def test_the_language_is_left_to_the_language_identifier(screen):
    """The language slot is kept by the language policy (clinic/nlu/language_policy.py), not by entities."""
    for message in screen.process([classified("quiero una cita"), classified("I want to die")]):
        assert not [e for e in message.get("entities") or [] if e["entity"] == "language"]
        assert message.get("crisis_screen")["language"] in ("en", "es")


def test_an_empty_message_is_no_crisis(screen):
    [message] = screen.process([classified("")])
    assert message.get("crisis_screen")["outcome"] == "none"
