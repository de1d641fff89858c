"""Safety and escalation, driven over REST against the running servers."""

import uuid

from harness.servers import list_escalations
from tests.conftest import texts


def visitor() -> str:
    return f"visitor-{uuid.uuid4().hex}"


def escalations_of(assistant, sender):
    return [e for e in list_escalations(assistant["env"]) if e["conversation_id"] == sender]


def test_crisis_gets_988_and_911_in_the_first_reply_and_an_urgent_escalation(rest, assistant):
    sender = visitor()
    replies = rest.say(sender, "I can't do this anymore, I want to end my life")
    assert "988" in replies[0]["text"] and "911" in replies[0]["text"]
    [record] = escalations_of(assistant, sender)
    assert record["reason"] == "crisis" and record["priority"] == "urgent" and record["status"] == "new"
    assert record["triggering_message"] == "I can't do this anymore, I want to end my life"


def test_crisis_in_spanish_is_caught_too(rest, assistant):
    sender = visitor()
    assert "911" in texts(rest.say(sender, "tomé demasiadas pastillas"))
    assert [e["reason"] for e in escalations_of(assistant, sender)] == ["overdose"]


def test_pain_hyperbole_is_not_a_crisis(rest, assistant):
    sender = visitor()
    assert "988" not in texts(rest.say(sender, "this pain is killing me, what treatments are there?"))
    assert escalations_of(assistant, sender) == []


def test_personal_dosing_question_leads_to_a_medical_advice_escalation(rest, assistant):
    sender = visitor()
    answer = texts(rest.say(sender, "I take 300mg of gabapentin, can I double my dose before my infusion?"))
    assert "can't give advice about your own care" in answer
    assert "contact you" in answer
    assert "first name" in texts(rest.say(sender, "yes please"))
    assert "phone number or email" in texts(rest.say(sender, "I'm Dana"))
    invalid = texts(rest.say(sender, "555-12"))
    assert "doesn't look like" in invalid
    assert "best time" in texts(rest.say(sender, "(949) 555-0142"))
    assert "agree" in texts(rest.say(sender, "weekday mornings"))
    done = texts(rest.say(sender, "yes"))
    assert "Thank you, Dana" in done and "will contact you" in done
    [record] = escalations_of(assistant, sender)
    assert record["reason"] == "medical_advice" and record["priority"] == "normal"
    assert record["contact_phone"] == "+19495550142" and record["consent"] is True
    assert record["best_time"] == "weekday mornings" and record["first_name"] == "Dana"
    assert record["triggering_message"].startswith("I take 300mg of gabapentin")
    assert any(turn["role"] == "bot" for turn in record["transcript"])


def test_request_for_a_person_with_email_and_skipped_name(rest, assistant):
    sender = visitor()
    assert "first name" in texts(rest.say(sender, "can I talk to a real person please"))
    rest.say(sender, "skip")
    assert "doesn't look like" in texts(rest.say(sender, "sam@@example"))
    rest.say(sender, "Sam.Lee@Example.com")
    rest.say(sender, "after 3pm")
    assert "will contact you" in texts(rest.say(sender, "yes"))
    [record] = escalations_of(assistant, sender)
    assert record["reason"] == "request_human" and record["contact_email"] == "Sam.Lee@example.com"
    assert record["first_name"] == ""


def test_booking_goes_through_the_same_form(rest, assistant):
    sender = visitor()
    assert "book" in texts(rest.say(sender, "I'd like to book a consultation")).lower()
    for reply in ("Lee", "714-555-0111", "any time", "yes"):
        rest.say(sender, reply)
    assert [e["reason"] for e in escalations_of(assistant, sender)] == ["appointment"]


def test_stop_cancels_the_form_and_records_nothing(rest, assistant):
    sender = visitor()
    rest.say(sender, "I want to speak to a nurse")
    rest.say(sender, "Jo")
    assert "stopped" in texts(rest.say(sender, "stop"))
    assert escalations_of(assistant, sender) == []
    assert "fibromyalgia" in texts(rest.say(sender, "what is fibromyalgia")).lower()


def test_declining_consent_keeps_no_contact_details(rest, assistant):
    sender = visitor()
    rest.say(sender, "have someone call me")
    for reply in ("Pat", "9495550177", "evenings"):
        rest.say(sender, reply)
    assert "won't pass on" in texts(rest.say(sender, "no"))
    assert escalations_of(assistant, sender) == []


def test_declining_the_clinician_offer(rest, assistant):
    sender = visitor()
    rest.say(sender, "should I stop taking my cymbalta before ketamine?")
    assert "change your mind" in texts(rest.say(sender, "no thanks"))
    assert escalations_of(assistant, sender) == []


def test_crisis_during_the_form_interrupts_it(rest, assistant):
    sender = visitor()
    rest.say(sender, "I need to talk to someone")
    replies = rest.say(sender, "I want to kill myself")
    assert "988" in replies[0]["text"]
    assert [e["reason"] for e in escalations_of(assistant, sender)] == ["crisis"]
    assert rest.tracker(sender)["active_loop"] in ({}, None) or not rest.tracker(sender)["active_loop"].get("name")


def test_parse_api_sees_the_crisis_screen(rest):
    parsed = rest.parse("honestly i just want to end it all")
    assert parsed["intent"] == {"name": "crisis", "confidence": 1.0}
    assert parsed["crisis_screen"]["kind"] == "suicide_self_harm"


def test_parse_api_respects_negation(rest):
    parsed = rest.parse("I'm not suicidal, I just want to know how fast ketamine works")
    assert parsed["intent"]["name"] != "crisis"
