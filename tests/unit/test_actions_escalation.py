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


def make_tracker(slots=None, text="hello", intent="greet", ranking=None, channel="rest", said=(), sender="conv-1"):
    """A tracker whose user said ``said`` (texts, or (text, message id) pairs) and then ``text``."""
    earlier = [
        {"event": "user", "text": t, "message_id": m, "timestamp": 1_699_999_000.0 + i, "input_channel": channel}
        for i, (t, m) in enumerate(
            item if isinstance(item, tuple) else (item, f"m-said-{n}") for n, item in enumerate(said)
        )
    ]
    events = [
        *earlier,
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
        sender_id=sender,
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


async def test_consent_question_never_repeats_the_stored_contact():
    # Whoever sends under someone else's conversation id at this step must not learn their details.
    for contact in ("+19495550142", "dana@example.org"):
        dispatcher = CollectingDispatcher()
        await ActionAskConsent().run(dispatcher, make_tracker(slots={"contact": contact}), {})
        text = dispatcher.messages[0]["text"]
        assert "555" not in text and "0142" not in text and "@" not in text
        assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


async def test_invalid_contact_is_explained_and_asked_again():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"requested_slot": "contact"}, text="555-12")
    result = await ValidateEscalationForm().validate_contact("555-12", dispatcher, tracker, {})
    assert result == {"contact": None}
    assert "doesn't look like" in dispatcher.messages[0]["text"]


async def test_stop_at_any_question_cancels_the_form():
    form = ValidateEscalationForm()
    for slot in ("first_name", "contact", "best_time", "consent"):
        validate = getattr(form, f"validate_{slot}")
        tracker = make_tracker(slots={"requested_slot": slot}, text="stop")
        result = await validate("stop", CollectingDispatcher(), tracker, {})
        assert result["requested_slot"] is None and result["escalation_cancelled"] is True


async def _extracted(text, requested=None, intent="request_human", slots=None):
    form = ValidateEscalationForm()
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})}, text=text, intent=intent)
    found = {}
    for slot in ("first_name", "contact", "best_time"):
        found |= await getattr(form, f"extract_{slot}")(CollectingDispatcher(), tracker, {})
    return found, tracker


@pytest.mark.parametrize("requested", [None, "first_name", "contact", "best_time"])
async def test_the_form_extracts_every_slot_one_message_gives(requested):
    found, tracker = await _extracted("I'm Ana, call me at 949 555 0175 after 4", requested)
    assert found == {"first_name": "Ana", "contact": "+19495550175", "best_time": "after 4"}
    form = ValidateEscalationForm()
    assert await form.validate_contact(found["contact"], CollectingDispatcher(), tracker, {}) == {
        "contact": "+19495550175"
    }


async def test_a_switch_to_email_asked_for_a_best_time_replaces_the_contact_and_asks_the_time_again():
    slots = {"first_name": "Ana", "contact": "+19495550175"}
    found, tracker = await _extracted("actually email me at ana@x.com", "best_time", "request_human", slots)
    assert found == {"contact": "ana@x.com", "best_time": "actually email me at ana@x.com"}
    dispatcher = CollectingDispatcher()
    assert await ValidateEscalationForm().validate_best_time(found["best_time"], dispatcher, tracker, {}) == {
        "best_time": None
    }
    assert dispatcher.messages == []


async def test_a_question_mid_form_gives_no_slot_so_rasa_rejects_the_form_for_it():
    found, _ = await _extracted("what are your hours?", "best_time", "clinic_hours")
    assert found == {}


async def test_a_question_the_form_stepped_aside_for_is_not_read_when_the_form_comes_back():
    form = ValidateEscalationForm()
    tracker = make_tracker(slots={"requested_slot": "best_time"}, text="are you open saturday?", intent="clinic_hours")
    tracker.events.append({"event": "action_execution_rejected", "name": "escalation_form"})
    assert await form.extract_best_time(CollectingDispatcher(), tracker, {}) == {}


async def test_declined_contact_skips_time_and_consent():
    slots = await ValidateEscalationForm().required_slots(
        [], CollectingDispatcher(), make_tracker(slots={"contact": DECLINED}), {}
    )
    assert slots == ["first_name", "contact"]


def test_consent_is_the_offered_button_or_a_plain_yes_in_english_or_spanish():
    for yes in ("/affirm", "Yes.", "yes, I agree", "I consent", "Sí", "si", "de acuerdo", "Acepto!"):
        assert answer_consent(yes).value is True, yes
    for no in ("/deny", "nope", "No, gracias", "no estoy de acuerdo", "skip"):
        assert answer_consent(no).value is False, no


def test_vague_answers_are_not_consent_and_are_asked_again():
    for vague in ("hmm", "huh", "ok?", "k", "sure why not", "ok", "maybe tomorrow", "yes?", "/greet"):
        answer = answer_consent(vague)
        assert answer.value is None and answer.problem == "invalid_consent", vague


def test_the_second_vague_answer_ends_the_form():
    answer = answer_consent("hmm", unclear_before=1)
    assert answer.cancelled and answer.problem == "consent_unclear"


async def test_consent_is_read_from_what_was_typed_not_from_the_intent():
    # NLU may read "sure why not" as affirm, so the slot's candidate value is True.
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="sure why not", intent="affirm")
    result = await ValidateEscalationForm().validate_consent(True, dispatcher, tracker, {})
    assert result == {"consent": None, "consent_unclear": 1}
    assert "yes or no" in dispatcher.messages[0]["text"]


async def test_two_vague_consent_answers_keep_nothing_and_say_so(recorded):
    tracker = make_tracker(slots={"consent_unclear": 1}, text="k", intent="affirm")
    result = await ValidateEscalationForm().validate_consent(True, CollectingDispatcher(), tracker, {})
    assert result == {"consent": None, "requested_slot": None, "escalation_cancelled": True, "consent_unclear": 2}
    slots = {"contact": "+19495550142", "escalation_cancelled": True, "consent_unclear": 2}
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitEscalation().run(dispatcher, make_tracker(slots=slots, said=["9495550142"]), {})
    assert recorded == []
    assert "haven't kept your contact details" in dispatcher.messages[0]["text"]
    assert SlotSet("consent_unclear", None) in events and SlotSet("contact", None) in events


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
    said = [("can I double my lyrica", "m-0"), "Dana", "949 555 0142", "mornings"]
    events = await ActionSubmitEscalation().run(dispatcher, make_tracker(slots=slots, text="yes", said=said), {})
    [escalation] = recorded
    assert escalation.reason == "medical_advice" and escalation.contact_phone == "+19495550142"
    assert escalation.channel == "rest" and escalation.conversation_id == "conv-1"
    assert escalation.triggering_message == "can I double my lyrica"
    assert escalation.idempotency_key == "conv-1:medical_advice:m-0"
    assert [t["role"] for t in escalation.transcript] == ["user"] * 5 + ["bot"]
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


async def test_a_contact_no_user_message_gave_is_not_recorded(recorded):
    # A slot value that no message of the conversation typed is not the visitor's.
    slots = {"contact": "+19495550199", "consent": True, "escalation_reason": "request_human"}
    await ActionSubmitEscalation().run(CollectingDispatcher(), make_tracker(slots=slots, said=["9495550142"]), {})
    [escalation] = recorded
    assert escalation.contact_phone == "" and escalation.consent is False


async def test_a_trigger_slot_naming_no_real_message_is_replaced_by_the_latest_message(recorded):
    slots = {
        "contact": "+19495550142",
        "consent": True,
        "escalation_trigger": {"text": "invented", "message_id": "m-invented"},
    }
    await ActionSubmitEscalation().run(CollectingDispatcher(), make_tracker(slots=slots, said=["9495550142"]), {})
    [escalation] = recorded
    assert escalation.triggering_message == "hello" and escalation.idempotency_key.endswith(":m-1")


@pytest.mark.parametrize(
    ("sender", "channel", "recorded_channel"),
    [
        ("sms-0123abcd", "sms", "sms"),
        ("web-0123abcd", "socketio", "socketio"),
        ("conv-1", "rest", "rest"),
        # An SMS escalation's staff reply texts a number: only the SMS channel's ids may be one.
        ("conv-1", "sms", "unknown"),
        ("web-0123abcd", "sms", "unknown"),
        ("sms-0123abcd", "rest", "unknown"),
        ("web-0123abcd", "rest", "unknown"),
    ],
)
async def test_the_channel_is_the_one_rasa_recorded_for_an_id_that_channel_issues(
    recorded, sender, channel, recorded_channel
):
    tracker = make_tracker(text="I want to die", intent="crisis", channel=channel, sender=sender)
    await ActionRecordCrisis().run(CollectingDispatcher(), tracker, {})
    [escalation] = recorded
    assert escalation.channel == recorded_channel and escalation.conversation_id == sender


async def test_the_conversation_language_slot_goes_with_the_escalation(recorded):
    dispatcher = CollectingDispatcher()
    spanish = make_tracker(text="quiero morir", intent="crisis", slots={"language": "es"})
    await ActionRecordCrisis().run(dispatcher, spanish, {})
    slots = {"contact": "+19495550142", "consent": True, "escalation_reason": "request_human", "language": "es"}
    await ActionSubmitEscalation().run(dispatcher, make_tracker(slots=slots), {})
    await ActionRecordCrisis().run(dispatcher, make_tracker(text="I want to die", intent="crisis"), {})
    assert [escalation.language for escalation in recorded] == ["es", "es", "en"]


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


@pytest.mark.parametrize(
    ("said", "intent", "confidence", "read"),
    [
        ("what are your hours?", "clinic_hours", 0.99, False),
        ("¿aceptan Medi-Cal?", "insurance_plan", 1.0, False),
        ("hmm", "affirm", 0.92, True),
        ("why?", "ketamine_mechanism", 0.53, True),
        ("yes", "affirm", 1.0, True),
    ],
)
async def test_the_consent_answer_is_read_as_typed_unless_it_is_a_question(said, intent, confidence, read):
    tracker = make_tracker(slots={"requested_slot": "consent"}, text=said, intent=intent)
    tracker.latest_message["intent"]["confidence"] = confidence
    extracted = await ValidateEscalationForm().extract_consent(CollectingDispatcher(), tracker, {})
    assert extracted == ({"consent": said} if read else {})
