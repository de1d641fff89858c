"""Questions about one insurance plan, answered from the directory's plan lists (sample data)."""

import asyncio
import uuid

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.dialogue import ActionInsurancePlan
from clinic.conversation.plans import Plan, asks_about_a_plan
from clinic.messages import message
from clinic.nlu.plans import InsurancePlanMarker
from tests.conftest import texts


@pytest.mark.parametrize(
    ("said", "plan"),
    [
        ("do you take Medicare?", Plan("Medicare", True)),
        ("Medi-Cal?", Plan("Medi-Cal", False)),
        ("Kaiser?", Plan("Kaiser Permanente", False)),
        ("aceptan Medi-Cal?", Plan("Medi-Cal", False)),
        ("¿aceptan medicare?", Plan("Medicare", True)),
        ("is my blue shield ppo accepted", Plan("Blue Shield of California", True)),
        ("do you take scan health plan", Plan("Scan Health Plan", False)),
    ],
)
def test_the_plan_a_message_asks_about(said, plan):
    assert asks_about_a_plan(said) == plan


@pytest.mark.parametrize(
    "said",
    [
        "does insurance cover ketamine",
        "do you take insurance",
        "do you accept new patients",
        "my kaiser doctor told me to look into ketamine infusions for the pain in my legs",
    ],
)
def test_messages_that_name_no_plan_or_are_about_something_else(said):
    assert asks_about_a_plan(said) is None


def test_the_marker_takes_plan_questions_from_the_cost_answer_and_noise_but_not_from_a_crisis():
    def classified(text, intent):
        return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.7}, "intent_ranking": []})

    marked = InsurancePlanMarker().process(
        [classified("Kaiser?", "noise"), classified("do you take medicare", "cost_insurance")]
    )
    assert [m.get("intent")["name"] for m in marked] == ["insurance_plan", "insurance_plan"]
    [crisis] = InsurancePlanMarker().process([classified("kaiser won't help, i want to die", "crisis")])
    assert crisis.get("intent")["name"] == "crisis"


def _answer(text, language="en"):
    tracker = Tracker(
        sender_id="visitor",
        slots={"language": language},
        latest_message={"text": text, "intent": {"name": "insurance_plan"}},
        events=[{"event": "user", "text": text, "input_channel": "rest"}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionInsurancePlan().run(dispatcher, tracker, {}))
    return dispatcher.messages[0]["text"]


def test_a_listed_plan_is_answered_with_confirm_with_the_clinic():
    answer = _answer("do you take Medicare?")
    assert "Medicare is on our list" in answer and "confirm with the clinic" in answer and "555-0100" in answer


def test_a_plan_not_listed_gets_call_to_check_in_english_and_spanish():
    assert "We don't have Kaiser Permanente listed" in _answer("Kaiser?")
    assert "Call (949) 555-0100 to check" in _answer("Kaiser?")
    assert "No tenemos Medi-Cal en la lista" in _answer("aceptan Medi-Cal?", "es")


def test_the_plan_answers_fit_an_sms():
    for name in ("insurance_plan_listed", "insurance_plan_not_listed"):
        for language in ("en", "es"):
            text = message(name, "sms", language, plan="Blue Shield of California", phone="(949) 555-0100")["text"]
            assert len(text) <= 306 and "…" not in text


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("hi do u guys take medicare", "Medicare is on our list"),
        ("medi-cal??", "don't have Medi-Cal listed"),
        ("what about kaiser", "don't have Kaiser Permanente listed"),
        ("¿ustedes aceptan Medi-Cal?", "No tenemos Medi-Cal"),
    ],
)
def test_plan_questions_against_the_running_assistant(rest, said, expected):
    assert expected in texts(rest.say(f"plans-{uuid.uuid4().hex}", said))
