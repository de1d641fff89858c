from rasa.shared.nlu.training_data.message import Message

from clinic.nlu.crisis_screen import CrisisScreen
from clinic.safety import cached_lexicon


def classified(text, intent="ketamine_onset", confidence=0.97):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}, {"name": "crisis", "confidence": 0.01}])
    return message


def test_a_lexicon_match_overrides_the_classifier():
    [message] = CrisisScreen(cached_lexicon()).process(
        [classified("how fast does ketamine work, I want to kill myself")]
    )
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0] == {"name": "crisis", "confidence": 1.0}
    assert ranking[1] == {"name": "ketamine_onset", "confidence": 0.0}
    assert message.get("crisis_screen") == {"entry": "kill_myself", "category": "suicidal_intent"}


def test_no_match_leaves_the_classifier_alone():
    [message] = CrisisScreen(cached_lexicon()).process([classified("this pain is killing me")])
    assert message.get("intent") == {"name": "ketamine_onset", "confidence": 0.97}


def test_the_classifiers_own_crisis_prediction_stays_as_a_second_net():
    [message] = CrisisScreen(cached_lexicon()).process(
        [classified("everything feels pointless tonight", "crisis", 0.8)]
    )
    assert message.get("intent")["name"] == "crisis"


def test_a_negated_phrase_vetoes_the_classifiers_crisis_guess():
    message = Message(data={"text": "I'm not suicidal, how fast does ketamine work?"})
    message.set("intent", {"name": "crisis", "confidence": 0.6})
    message.set(
        "intent_ranking",
        [{"name": "crisis", "confidence": 0.6}, {"name": "ketamine_onset", "confidence": 0.3}],
    )
    [screened] = CrisisScreen(cached_lexicon()).process([message])
    assert screened.get("intent") == {"name": "ketamine_onset", "confidence": 0.3}
