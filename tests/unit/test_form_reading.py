"""What one message gives the contact form (clinic/conversation/form_reading.py)."""

from datetime import date

import pytest

from clinic.conversation.form_reading import (
    FormReading,
    mentions_own_number,
    read_contact,
    read_form_message,
    read_name,
    unread_message,
)
from clinic.escalation_flow import build_escalation

TUESDAY = date(2026, 11, 24)
OWN = "+19495550175"


@pytest.mark.parametrize("asked", [None, "first_name", "contact", "best_time"])
def test_one_message_fills_name_contact_and_best_time_at_the_start_or_mid_form(asked):
    reading = read_form_message("I'm Ana, call me at 949 555 0175 after 4", asked, TUESDAY)
    assert reading.slots == {"first_name": "Ana", "contact": "+19495550175", "best_time": "after 4"}


@pytest.mark.parametrize(
    ("said", "slots"),
    [
        (
            "hey, this is Rosa - pls have someone ring me 714.555.0133 tuesday morning",
            {"first_name": "Rosa", "contact": "+17145550133", "best_time": "tuesday morning"},
        ),
        (
            "me llamo Lucía, mi cel es 714-555-0133, mañana por la tarde",
            {"first_name": "Lucía", "contact": "+17145550133", "best_time": "mañana por la tarde"},
        ),
        ("my name is Kim, email kim.lee@example.com", {"first_name": "Kim", "contact": "kim.lee@example.com"}),
        ("soy paciente nueva, llámenme al 714 555 0133", {"contact": "+17145550133"}),
        (
            "buenas, habla Yolanda, que me llamen al 657 555 0170 en la tarde por favor",
            {"first_name": "Yolanda", "contact": "+16575550170", "best_time": "en la tarde por favor"},
        ),
        (
            "Rafa, 657-555-0157, después de las 5",
            # A bare name is taken only when the name is asked for.
            {"contact": "+16575550157", "best_time": "después de las 5"},
        ),
        ("I'd like someone to call me", {}),
        ("yes please", {}),
    ],
)
def test_what_a_callback_request_gives(said, slots):
    assert read_form_message(said, None, TUESDAY).slots == slots


def test_switching_to_email_mid_form_replaces_the_phone_and_is_not_a_best_time():
    reading = read_form_message("actually email me at ana@x.com", "best_time", TUESDAY)
    assert reading == FormReading(slots={"contact": "ana@x.com"})
    assert read_contact("call 949 555 0175, no wait, email me at ana@x.com instead") == "ana@x.com"


def test_a_name_correction_mid_form_replaces_the_name_without_a_complaint():
    assert read_form_message("no wait, my name is Ana Ruiz", "contact", TUESDAY) == FormReading(
        slots={"first_name": "Ana"}
    )
    assert read_form_message("sorry, I'm Anna not Ana", "best_time", TUESDAY).slots == {"first_name": "Anna"}
    assert read_form_message("wait, my name is actually Beatrice Lowe", "best_time", TUESDAY).slots == {
        "first_name": "Beatrice"
    }


@pytest.mark.parametrize("said", ["I'm free after 5", "i'm usually home evenings", "soy paciente", "this is urgent"])
def test_words_after_im_or_soy_are_not_taken_for_names(said):
    assert read_name(said, asked=False) is None


@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("what are your hours?", "best_time"),
        ("where is the irvine office?", "first_name"),
        ("¿aceptan Medi-Cal?", "contact"),
    ],
)
def test_a_question_mid_form_gives_the_form_nothing(said, asked):
    assert read_form_message(said, asked, TUESDAY, question_intent=True) == FormReading(question=True)


def test_a_question_that_still_gives_a_detail_is_read():
    reading = read_form_message("can you call me at 949 555 0175?", "contact", TUESDAY, question_intent=True)
    assert reading.slots == {"contact": "+19495550175"}


def test_answers_that_give_nothing_still_get_the_forms_complaint_or_words():
    assert read_form_message("/affirm", "first_name", TUESDAY).problem == "invalid_first_name"
    assert read_form_message("sam@@example", "contact", TUESDAY).problem == "invalid_contact"
    assert read_form_message("whenever works", "best_time", TUESDAY).slots == {"best_time": "whenever works"}
    assert read_form_message("skip", "contact", TUESDAY).refused == "declined"
    assert read_form_message("never mind", "best_time", TUESDAY).refused == "cancelled"


@pytest.mark.parametrize(
    "said",
    [
        "this number",
        "use this number",
        "the number I'm texting from",
        "este número",
        "a este mismo numero",
        "same number",
    ],
)
def test_this_number_over_sms_is_the_senders_number(said):
    assert mentions_own_number(said)
    assert read_form_message(said, "contact", TUESDAY, own_number=OWN).slots == {"contact": OWN}


def test_this_number_without_a_sender_number_is_not_a_contact():
    assert read_form_message("use this number", "contact", TUESDAY).problem == "invalid_contact"
    assert not mentions_own_number("my number is 949 555 0175")


def test_a_question_the_form_stepped_aside_for_is_not_read_again():
    user = {"event": "user", "text": "what are your hours?"}
    rejected = {"event": "action_execution_rejected", "name": "escalation_form"}
    assert unread_message([user, {"event": "action", "name": "action_extract_slots"}])
    assert not unread_message([user, rejected, {"event": "action", "name": "action_clinic_hours"}])


def test_the_senders_own_number_is_kept_in_the_escalation_though_never_typed():
    events = [{"event": "user", "text": "use this number", "message_id": "m1", "input_channel": "sms"}]
    kwargs = {"reason": "request_human", "sender_id": "sms-abc", "trigger": {"message_id": "m1"}, "events": events}
    kept = build_escalation(**kwargs, contact=OWN, consent=True, own_number=OWN)
    assert kept.contact_phone == OWN and kept.consent
    assert build_escalation(**kwargs, contact=OWN, consent=True).contact_phone == ""
