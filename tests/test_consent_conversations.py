"""Consent to be contacted, driven over REST against the running servers: only a clear yes counts."""

import uuid

import pytest

from harness.servers import list_escalations
from tests.conftest import texts


def reach_the_consent_question(rest, sender: str, contact: str = "(949) 555-0142") -> str:
    rest.say(sender, "can I talk to a real person please")
    rest.say(sender, "Dana")
    rest.say(sender, contact)
    return texts(rest.say(sender, "weekday mornings"))


def escalations_of(assistant, sender):
    return [e for e in list_escalations(assistant["env"]) if e["conversation_id"] == sender]


@pytest.mark.parametrize("vague", ["hmm", "huh", "ok?", "k", "sure why not"])
def test_a_vague_answer_is_not_consent_and_is_asked_again(rest, assistant, vague):
    sender = f"consent-{uuid.uuid4().hex}"
    reach_the_consent_question(rest, sender)
    again = texts(rest.say(sender, vague))
    assert "yes or no" in again
    assert escalations_of(assistant, sender) == []
    assert "will contact you" in texts(rest.say(sender, "yes"))
    [record] = escalations_of(assistant, sender)
    assert record["consent"] is True and record["contact_phone"] == "+19495550142"


def test_two_vague_answers_keep_nothing_and_the_visitor_is_told(rest, assistant):
    sender = f"consent-{uuid.uuid4().hex}"
    reach_the_consent_question(rest, sender)
    rest.say(sender, "hmm")
    told = texts(rest.say(sender, "sure why not"))
    assert "haven't kept your contact details" in told
    assert escalations_of(assistant, sender) == []
    assert "fibromyalgia" in texts(rest.say(sender, "what is fibromyalgia")).lower()


def test_the_offered_button_and_a_spanish_yes_are_consent(rest, assistant):
    for answer in ("/affirm", "sí"):
        sender = f"consent-{uuid.uuid4().hex}"
        reach_the_consent_question(rest, sender)
        assert "will contact you" in texts(rest.say(sender, answer))
        assert [e["consent"] for e in escalations_of(assistant, sender)] == [True]


def test_the_consent_question_does_not_repeat_the_contact(rest):
    # Anyone who sends under this conversation id at this step would otherwise read it.
    sender = f"consent-{uuid.uuid4().hex}"
    question = reach_the_consent_question(rest, sender, "dana.lee@example.org")
    assert "agree" in question and "dana" not in question.lower() and "@" not in question
