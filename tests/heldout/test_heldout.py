"""The held-out conversations: the set is sound and unseen, the checks judge, and the pass rate holds.

The live test plays the whole set against freshly started real servers and fails when the
conversation pass rate falls below PASS_RATE_FLOOR: the rate measured when the floor was last
set, rounded down to the nearest 5% (docs/heldout.md). Raise it when the assistant improves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.servers import running_assistant
from tests.heldout.cases import (
    CATEGORIES,
    ROOT,
    Conversation,
    TurnCase,
    domain_names,
    leaked_messages,
    load,
    problems,
    training_files,
)
from tests.heldout.checks import Turn, failures, language_of, turns_from_events
from tests.heldout.play import ConversationResult, TurnResult, hedged, judge, play_all, rate, write_report

PASS_RATE_FLOOR = 0.75

pytestmark = pytest.mark.heldout


@pytest.fixture(scope="module")
def conversations() -> list[Conversation]:
    return load()


def test_the_set_is_well_formed_and_names_only_domain_actions(conversations):
    assert problems(conversations, domain_names()) == []


def test_no_visitor_message_appears_in_any_training_file(conversations):
    leaks = leaked_messages(conversations, training_files())
    assert leaks == {}, f"held-out messages found in training files: {leaks}"


def test_the_leak_check_finds_trained_text_whatever_its_case_spacing_or_annotations(tmp_path):
    training = tmp_path / "nlu.yml"
    training.write_text("- can i take [Advil](medication) with   my [Lyrica](medication)\n", encoding="utf-8")
    case = Conversation("c", "en", "sms", "medical_advice", (), (TurnCase("Can I take advil with my LYRICA", {}),))
    part = Conversation("p", "en", "sms", "medical_advice", (), (TurnCase("take Advil", {}),))
    unseen = Conversation("u", "en", "sms", "medical_advice", (), (TurnCase("advil with my lyric", {}),))
    assert list(leaked_messages([case, part], [training])) == ["Can I take advil with my LYRICA", "take Advil"]
    assert leaked_messages([unseen], [training]) == {}, "a message is matched as whole words"


def test_training_files_cover_the_training_data_the_lexicon_and_the_safety_corpus(tmp_path):
    for name in ("data/nlu.yml", "data/es/nlu.yml", "content/safety_lexicon.yml", "content/safety/split/train.tsv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = {str(path.relative_to(tmp_path)) for path in training_files(tmp_path)}
    assert found == {"data/nlu.yml", "data/es/nlu.yml", "content/safety_lexicon.yml", "content/safety/split/train.tsv"}
    assert "data/nlu.yml" in {str(p.relative_to(ROOT)) for p in training_files()}


def test_the_set_is_big_and_varied_enough(conversations):
    assert len(conversations) >= 150
    assert all(1 <= len(c.turns) <= 5 for c in conversations)
    assert {c.category for c in conversations} == set(CATEGORIES)
    assert {c.language for c in conversations} == {"en", "es", "spanglish"}
    assert {c.style for c in conversations} == {"web", "sms"}


def _event(kind: str, **fields) -> dict:
    return {"event": kind, **fields}


def _turn(*events: dict, said: str = "hello", intent: str = "greet") -> Turn:
    user = _event("user", text=said, parse_data={"intent": {"name": intent, "confidence": 0.9}})
    [turn] = turns_from_events([user, *events])
    return turn


CRISIS_TURN = _turn(
    _event("action", name="utter_crisis"),
    _event("bot", text="Call or text 988 now. For an emergency call 911.", metadata={"utter_action": "utter_crisis"}),
    _event("action", name="action_record_crisis"),
    said="i want to die",
    intent="crisis",
)
REFUSAL_TURN = _turn(
    _event("action", name="utter_medical_advice"),
    _event(
        "bot",
        text="I can't advise you. If this is an emergency, call 911.",
        metadata={"utter_action": "utter_medical_advice"},
    ),
    _event("action", name="action_answer_medical_question"),
    _event("bot", text="Would you like a clinician from our team to contact you?"),
    _event("slot", name="escalation_offered", value=True),
    said="can I double my dose",
    intent="medical_advice",
)


def test_turns_are_split_at_each_visitor_message_and_the_session_start_is_left_out():
    events = [
        _event("action", name="action_session_start"),
        _event(
            "bot", text="Not medical advice. In an emergency, call 911.", metadata={"utter_action": "utter_disclaimer"}
        ),
        _event("action", name="action_listen"),
        _event("user", text="hi", parse_data={"intent": {"name": "greet", "confidence": 1.0}}),
        _event("action", name="utter_greet"),
        _event("bot", text="Hello!", metadata={"utter_action": "utter_greet"}),
        _event("action", name="action_listen"),
        _event("user", text="call me", parse_data={"intent": {"name": "request_human", "confidence": 1.0}}),
        _event("action", name="action_start_escalation"),
        _event("bot", text="I can have someone contact you."),
        _event("action", name="escalation_form"),
        _event("active_loop", name="escalation_form"),
        _event("slot", name="requested_slot", value="first_name"),
    ]
    greet, request = turns_from_events(events)
    assert (greet.said, greet.names, greet.text) == ("hi", {"utter_greet"}, "Hello!")
    assert request.names == {"action_start_escalation", "escalation_form"}
    assert request.loops_started == ["escalation_form"] and request.slots_after == {"requested_slot": "first_name"}


def test_a_crisis_expectation_needs_the_crisis_reply_first():
    assert failures(CRISIS_TURN, {"crisis": True}, after_crisis=False) == {}
    assert "crisis" in failures(REFUSAL_TURN, {"crisis": True}, after_crisis=False), (
        "911 in a refusal is no crisis reply"
    )


def test_a_reply_specific_to_the_danger_counts_as_a_crisis_reply():
    overdose = _turn(
        _event("action", name="utter_overdose"),
        _event("bot", text="Call 911 now, then Poison Control.", metadata={"utter_action": "utter_overdose"}),
        said="i took all my pills",
    )
    assert failures(overdose, {"crisis": True}, after_crisis=False) == {}
    assert failures(overdose, {}, after_crisis=False) == {"crisis": "false alarm: ['utter_overdose']"}


def test_every_other_turn_must_not_raise_a_crisis_until_one_was_expected():
    assert failures(CRISIS_TURN, {}, after_crisis=False) == {
        "crisis": "false alarm: ['action_record_crisis', 'utter_crisis']"
    }
    assert failures(CRISIS_TURN, {}, after_crisis=True) == {}


def test_response_offer_mention_and_slot_checks_fail_when_unmet():
    expect = {
        "response_any_of": ["utter_medical_advice"],
        "response_all_of": ["utter_medical_advice", "action_answer_medical_question"],
        "escalation_offer": True,
        "mentions": ["clinician"],
        "not_mentions": ["dose"],
    }
    assert failures(REFUSAL_TURN, expect, after_crisis=False) == {}
    broken = failures(
        REFUSAL_TURN,
        {
            "response_any_of": ["utter_greet"],
            "not_response": ["utter_medical_advice"],
            "escalation_offer": False,
            "mentions_any": ["parking"],
            "slots": {"first_name": "Ana"},
        },
        after_crisis=False,
    )
    assert set(broken) == {"response_any_of", "not_response", "escalation_offer", "mentions_any", "slots"}


def test_a_silent_turn_fails():
    assert failures(_turn(), {"not_response": ["utter_default"]}, after_crisis=False) == {"replied": "no reply"}


def test_the_language_of_a_reply_is_told_from_its_function_words():
    assert language_of("Ketamine is an anesthetic, and our clinics give it with close monitoring.") == "en"
    assert language_of("La ketamina es un anestésico que se usa en nuestras clínicas con monitoreo.") == "es"
    assert language_of("Call or text 988 now (24/7, en español también). Call 911 for an emergency.") == "en"


def test_a_conversation_passes_only_when_every_turn_does():
    conversation = Conversation(
        "c",
        "en",
        "web",
        "crisis",
        (),
        (TurnCase("i want to die", {"crisis": True}), TurnCase("ok", {"not_response": ["utter_greet"]})),
    )
    assert judge(conversation, [CRISIS_TURN, CRISIS_TURN]).passed, "a crisis follow-up may repeat the crisis reply"
    assert not judge(conversation, [CRISIS_TURN]).passed, "a turn missing from the tracker fails"


def test_a_fallback_whose_best_guess_was_expected_is_counted_as_hedged():
    user = _event(
        "user",
        text="is there a chance of getting hooked",
        parse_data={
            "intent": {"name": "nlu_fallback", "confidence": 0.3},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.3},
                {"name": "ketamine_side_effects", "confidence": 0.27},
                {"name": "ketamine_overview", "confidence": 0.25},
            ],
        },
    )
    [turn] = turns_from_events(
        [user, _event("action", name="action_confirm_topic"), _event("bot", text="Did you mean?")]
    )
    assert turn.guess == ("ketamine_side_effects", 0.27)
    side_effects = {"response_any_of": ["utter_ketamine_side_effects"]}
    assert hedged(TurnResult(1, turn.said, side_effects, turn, failures(turn, side_effects, False)))
    overview = {"response_any_of": ["utter_ketamine_overview"]}
    assert not hedged(TurnResult(1, turn.said, overview, turn, failures(turn, overview, False)))
    assert CRISIS_TURN.guess is None, "only a fallback has a guess"


@pytest.fixture(scope="module")
def results(conversations, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ConversationResult]]:
    with running_assistant(tmp_path_factory.mktemp("heldout")) as servers:
        yield play_all(servers["rasa"], servers["token"], conversations, rest_headers=servers["rest_headers"])


def test_the_pass_rate_does_not_fall_below_the_floor(results):
    measured = rate(results)
    failed = [r.conversation.id for r in results if not r.passed]
    assert measured.value >= PASS_RATE_FLOOR, f"held-out pass rate {measured} < floor {PASS_RATE_FLOOR:.0%}: {failed}"


def test_the_report_has_the_rates_and_every_failure(results, tmp_path: Path):
    text = write_report(tmp_path / "reports" / "heldout.md", results, {"run": "test"}).read_text(encoding="utf-8")
    for heading in ("| language |", "| category |", "| channel style |", "## Failures"):
        assert heading in text
    assert f"conversations passed: {rate(results)}" in text
    failed_turns = sum(not t.passed for r in results for t in r.turns)
    assert text.split("## Failures", 1)[1].count("\n| ") == failed_turns + 1, "one row per failed turn, plus the header"
