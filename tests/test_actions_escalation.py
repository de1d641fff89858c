"""The escalation actions, run with rasa_sdk's dispatcher and tracker."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.escalation as escalation_actions
from actions.escalation import (
    ActionAnswerMedicalQuestion,
    ActionAskConsent,
    ActionRecordCrisis,
    ActionStartEscalation,
    ActionSubmitEscalation,
    ValidateEscalationForm,
)
from clinic.contact import DECLINED
from clinic.escalation_flow import answer_consent


def make_tracker(slots=None, text="hello", intent="greet", ranking=None, channel="rest"):
    events = [
        {
            "event": "user",
            "text": text,
            "timestamp": 1_700_000_000.0,
            "input_channel": channel,
            "parse_data": {"intent": {"name": intent}},
        },
        {"event": "bot", "text": "an answer", "timestamp": 1_700_000_001.0, "data": {}},
    ]
    return Tracker(
        sender_id="conv-1",
        slots=slots or {},
        latest_message={
            "text": text,
            "message_id": "m-1",
            "intent": {"name": intent},
            "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "escalation_form"},
        latest_action_name="action_listen",
    )


@pytest.fixture
def recorded(monkeypatch):
    calls = []

    async def fake_escalate(escalation):
        calls.append(escalation)

    monkeypatch.setattr(escalation_actions, "escalate", fake_escalate)
    return calls


async def test_medical_question_shares_the_closest_faq_and_offers_a_clinician():
    dispatcher = CollectingDispatcher()
    ranking = [
        {"name": "medical_advice", "confidence": 0.7},
        {"name": "ketamine_side_effects", "confidence": 0.2},
    ]
    tracker = make_tracker(text="is ketamine safe with my heart condition", intent="medical_advice", ranking=ranking)
    events = await ActionAnswerMedicalQuestion().run(dispatcher, tracker, {})
    assert dispatcher.messages[1]["response"] == "utter_ketamine_side_effects"
    assert "clinician" in dispatcher.messages[-1]["text"]
    assert SlotSet("escalation_reason", "medical_advice") in events
    assert SlotSet("escalation_offered", True) in events


async def test_medical_question_without_a_close_faq_only_offers_a_clinician():
    dispatcher = CollectingDispatcher()
    ranking = [{"name": "medical_advice", "confidence": 0.95}, {"name": "greet", "confidence": 0.01}]
    await ActionAnswerMedicalQuestion().run(dispatcher, make_tracker(intent="medical_advice", ranking=ranking), {})
    assert len(dispatcher.messages) == 1 and "clinician" in dispatcher.messages[0]["text"]


async def test_booking_starts_the_form_with_the_appointment_reason():
    dispatcher = CollectingDispatcher()
    events = await ActionStartEscalation().run(dispatcher, make_tracker(intent="book_appointment"), {})
    assert SlotSet("escalation_reason", "appointment") in events
    assert "book" in dispatcher.messages[0]["text"]


async def test_consent_question_shows_the_contact_as_people_write_it():
    dispatcher = CollectingDispatcher()
    await ActionAskConsent().run(dispatcher, make_tracker(slots={"contact": "+19495550142"}), {})
    assert "(949) 555-0142" in dispatcher.messages[0]["text"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


async def test_invalid_contact_is_explained_and_asked_again():
    dispatcher = CollectingDispatcher()
    result = await ValidateEscalationForm().validate_contact("555-12", dispatcher, make_tracker(), {})
    assert result == {"contact": None}
    assert "doesn't look like" in dispatcher.messages[0]["text"]


async def test_stop_at_any_question_cancels_the_form():
    form = ValidateEscalationForm()
    for validate in (
        form.validate_first_name,
        form.validate_contact,
        form.validate_best_time,
        form.validate_consent,
    ):
        result = await validate("stop", CollectingDispatcher(), make_tracker(), {})
        assert result["requested_slot"] is None and result["escalation_cancelled"] is True


async def test_declined_contact_skips_time_and_consent():
    slots = await ValidateEscalationForm().required_slots(
        [], CollectingDispatcher(), make_tracker(slots={"contact": DECLINED}), {}
    )
    assert slots == ["first_name", "contact"]


def test_consent_answers():
    assert answer_consent(True).value is True
    assert answer_consent("Yes.").value is True
    assert answer_consent("nope").value is False
    assert answer_consent("maybe tomorrow").problem == "invalid_consent"


async def test_submit_records_the_escalation_and_says_when(recorded):
    slots = {
        "escalation_reason": "medical_advice",
        "first_name": "Dana",
        "contact": "+19495550142",
        "best_time": "mornings",
        "consent": True,
        "escalation_trigger": {"text": "can I double my lyrica", "message_id": "m-0"},
    }
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitEscalation().run(dispatcher, make_tracker(slots=slots), {})
    [escalation] = recorded
    assert escalation.reason == "medical_advice" and escalation.contact_phone == "+19495550142"
    assert escalation.triggering_message == "can I double my lyrica"
    assert escalation.idempotency_key == "conv-1:medical_advice:m-0"
    assert [t["role"] for t in escalation.transcript] == ["user", "bot"]
    assert "Thank you, Dana." in dispatcher.messages[0]["text"]
    assert SlotSet("escalation_offered", False) in events


async def test_submit_after_cancel_records_nothing(recorded):
    dispatcher = CollectingDispatcher()
    await ActionSubmitEscalation().run(dispatcher, make_tracker(slots={"escalation_cancelled": True}), {})
    assert recorded == [] and "stopped" in dispatcher.messages[0]["text"]


async def test_submit_without_consent_records_nothing(recorded):
    slots = {"contact": "+19495550142", "consent": False, "escalation_reason": "request_human"}
    dispatcher = CollectingDispatcher()
    await ActionSubmitEscalation().run(dispatcher, make_tracker(slots=slots), {})
    assert recorded == [] and "won't pass on" in dispatcher.messages[0]["text"]


async def test_crisis_is_recorded_as_urgent_without_asking_anything(recorded):
    dispatcher = CollectingDispatcher()
    await ActionRecordCrisis().run(dispatcher, make_tracker(text="I want to die", intent="crisis"), {})
    [escalation] = recorded
    assert escalation.reason == "crisis" and escalation.priority == "urgent"
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("overdose_poisoning", "overdose"),
        ("medical_emergency", "medical_emergency"),
        ("other_in_danger", "other_in_danger"),
    ],
)
async def test_crisis_is_recorded_with_the_reason_of_its_kind(recorded, kind, reason):
    tracker = make_tracker(slots={"crisis_kind": kind}, text="my husband took all his pills", intent="crisis")
    await ActionRecordCrisis().run(CollectingDispatcher(), tracker, {})
    [escalation] = recorded
    assert escalation.reason == reason and escalation.priority == "urgent"
