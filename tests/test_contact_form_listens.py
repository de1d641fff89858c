"""The contact form listens: the best time as a window kept by the promise, names, leaving and skipping."""

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from clinic.contact import clean_first_name, is_cancel, is_decline
from clinic.conversation.best_time import BestTime, callback_within, closest_callback, parse_best_time
from clinic.directory import default_directory
from clinic.escalation_flow import next_steps_values
from harness.servers import list_escalations
from tests.conftest import texts

PACIFIC = ZoneInfo("America/Los_Angeles")
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC)
TUESDAY = TUESDAY_10AM.date()


@pytest.mark.parametrize(
    ("said", "window"),
    [
        ("evenings", BestTime(starts=time(17), ends=time(21))),
        ("after 5", BestTime(starts=time(17), ends=time(21))),
        ("after 8:30 am", BestTime(starts=time(8, 30), ends=time(21))),
        ("Tuesday morning", BestTime(days=frozenset({1}), starts=time(8), ends=time(12))),
        ("weekdays before noon", BestTime(days=frozenset(range(5)), starts=time(8), ends=time(12))),
        ("mañana por la tarde", BestTime(on=date(2026, 11, 25), starts=time(12), ends=time(19))),
        ("por la mañana", BestTime(starts=time(8), ends=time(12))),
        ("los viernes", BestTime(days=frozenset({4}))),
        ("around 3", BestTime(starts=time(15), ends=time(16))),
        ("whenever works", BestTime()),
    ],
)
def test_a_best_time_becomes_days_and_hours(said, window):
    assert parse_best_time(said, TUESDAY) == window


def test_the_promise_keeps_the_visitors_window_and_the_clinics_hours():
    directory = default_directory()
    evening = callback_within(directory, parse_best_time("evenings", TUESDAY), TUESDAY_10AM)
    assert (evening.day, evening.starts, evening.ends) == (TUESDAY, time(17), time(18)), "Irvine is open to 6 PM"
    friday = callback_within(directory, parse_best_time("friday after 4pm", TUESDAY), TUESDAY_10AM)
    assert friday.day == date(2026, 12, 4), "the Friday after Thanksgiving every clinic is closed"
    assert (friday.starts, friday.ends) == (time(16), time(17))


def test_a_window_no_clinic_is_open_in_gets_the_closest_time_and_says_so():
    directory = default_directory()
    late = parse_best_time("after 8pm", TUESDAY)
    assert callback_within(directory, late, TUESDAY_10AM) is None
    closest = closest_callback(directory, late, TUESDAY_10AM)
    assert (closest.day, closest.starts, closest.ends, closest.kept) == (TUESDAY, time(17), time(18), False)
    values = next_steps_values(directory, "Ana", TUESDAY_10AM, best_time="after 8pm")
    assert values["when"].startswith("today between 5:00 PM and 6:00 PM (the closest")


def test_the_confirmation_no_longer_promises_the_same_time_for_everyone():
    directory = default_directory()
    said = {t: next_steps_values(directory, None, TUESDAY_10AM, best_time=t)["when"] for t in ("evenings", "saturday")}
    assert said == {
        "evenings": "today between 5:00 PM and 6:00 PM",
        "saturday": "on Saturday, November 28 between 9:00 AM and 1:00 PM",
    }
    assert next_steps_values(directory, None, TUESDAY_10AM, best_time=None)["when"] == "today, before 6:00 PM"


@pytest.mark.parametrize("answer", ["No", "yes please", "/affirm", "ok", "Sí", "thanks", "nope"])
def test_answers_that_are_not_names_are_refused_as_first_names(answer):
    assert clean_first_name(answer) is None


def test_names_still_pass():
    assert [clean_first_name(t) for t in ("Gloria", "i'm nora", "Yvonne")] == ["Gloria", "Nora", "Yvonne"]


@pytest.mark.parametrize(
    "answer",
    [
        "actually stop, never mind",
        "nvm ill call later",
        "okay never mind, I will call you tomorrow",
        "i changed my mind",
    ],
)
def test_leaving_the_form_is_understood_as_people_type_it(answer):
    assert is_cancel(answer)


@pytest.mark.parametrize("answer", ["I want to stop the pain", "no", "never mind the name, it's Rosa"])
def test_answers_that_merely_contain_a_cancel_word_do_not_leave_the_form(answer):
    assert not is_cancel(answer)


def test_declining_one_question_in_a_sentence_skips_it():
    assert is_decline("i'd rather not give my name")


# Against the running servers: the form fills every slot a message gives, takes corrections and
# steps aside for a question (clinic/conversation/form_reading.py, validate_escalation_form).


def _visitor() -> str:
    return f"visitor-{uuid.uuid4().hex}"


def _escalations(assistant, sender):
    return [e for e in list_escalations(assistant["env"]) if e["conversation_id"] == sender]


def _slots(rest, sender):
    return rest.tracker(sender)["slots"]


def test_a_callback_request_that_gives_everything_goes_straight_to_consent(rest, assistant):
    sender = _visitor()
    reply = texts(rest.say(sender, "hi, this is Ana, could somebody call me at 949 555 0175 after 4"))
    assert "contact you" in reply.lower() or "may our clinic team" in reply.lower(), reply
    slots = _slots(rest, sender)
    assert (slots["first_name"], slots["contact"], slots["best_time"]) == ("Ana", "+19495550175", "after 4")
    assert "will contact you" in texts(rest.say(sender, "yes"))
    [record] = _escalations(assistant, sender)
    assert (record["first_name"], record["contact_phone"], record["best_time"]) == ("Ana", "+19495550175", "after 4")


def test_everything_in_one_answer_mid_form(rest, assistant):
    sender = _visitor()
    assert "first name" in texts(rest.say(sender, "I'd like to talk to a real person"))
    rest.say(sender, "Marisol, you can reach me on 714-555-0142, tuesday morning is best")
    slots = _slots(rest, sender)
    assert (slots["first_name"], slots["contact"], slots["best_time"]) == (
        "Marisol",
        "+17145550142",
        "tuesday morning is best",
    )
    assert slots["requested_slot"] == "consent"


def test_switching_to_email_and_correcting_the_name_mid_form(rest, assistant):
    sender = _visitor()
    rest.say(sender, "can someone from the clinic call me")
    rest.say(sender, "Anna")
    rest.say(sender, "949 555 0175")
    reply = texts(rest.say(sender, "actually email me at ana.ruiz@example.com"))
    assert "best time" in reply.lower() and "sorry" not in reply.lower()
    reply = texts(rest.say(sender, "no wait, my name is Ana Ruiz"))
    assert "best time" in reply.lower()
    slots = _slots(rest, sender)
    assert (slots["first_name"], slots["contact"], slots["best_time"]) == ("Ana", "ana.ruiz@example.com", None)
    rest.say(sender, "evenings")
    rest.say(sender, "yes")
    [record] = _escalations(assistant, sender)
    assert (record["contact_email"], record["contact_phone"], record["first_name"]) == (
        "ana.ruiz@example.com",
        "",
        "Ana",
    )


def test_a_question_mid_form_is_answered_then_the_form_asks_again(rest, assistant):
    sender = _visitor()
    rest.say(sender, "please have a nurse call me")
    rest.say(sender, "Teo")
    rest.say(sender, "714 555 0190")
    replies = rest.say(sender, "what are your hours?")
    reply = texts(replies)
    assert "Irvine" in reply and "Orange" in reply, reply
    assert "best time" in replies[-1]["text"].lower()
    assert _slots(rest, sender)["best_time"] is None
    rest.say(sender, "after 2")
    assert _slots(rest, sender)["best_time"] == "after 2"


def test_a_question_instead_of_the_consent_answer_is_answered_then_consent_is_asked_again(rest, assistant):
    sender = _visitor()
    rest.say(sender, "I'm Noor, please call me at 714 555 0144 in the morning")
    replies = rest.say(sender, "do you take medicare?")
    assert "Medicare is on our list" in texts(replies)
    assert "Do you agree" in replies[-1]["text"] and _slots(rest, sender)["consent"] is None
    assert "will contact you" in texts(rest.say(sender, "yes"))
    [record] = _escalations(assistant, sender)
    assert (record["first_name"], record["contact_phone"], record["consent"]) == ("Noor", "+17145550144", True)


def test_spanish_callback_request_with_everything(rest, assistant):
    sender = _visitor()
    rest.say(sender, "hola, me llamo Rocío, que me llamen al 657 555 0118 mañana por la tarde por favor")
    slots = _slots(rest, sender)
    assert (slots["first_name"], slots["contact"], slots["best_time"]) == (
        "Rocío",
        "+16575550118",
        "mañana por la tarde por favor",
    )
