"""The contact form, the escalation record, the finder and the hours in Spanish (plain functions)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clinic.contact import clean_first_name, is_cancel, is_decline, parse_contact
from clinic.directory import default_directory
from clinic.escalation_flow import answer_best_time, answer_consent, build_escalation, next_steps_values
from clinic.finder import clinic_named, render_contact_answer, render_hours_answer, render_location_answer
from clinic.hours import next_callback_window
from clinic.language import default_words
from clinic.messages import message
from clinic.places import find_place

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture(scope="module")
def directory():
    return default_directory()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("sí", True),
        ("Sí, estoy de acuerdo", True),
        ("de acuerdo", True),
        ("Sí acepto.", True),
        ("no acepto", False),
        ("NO", False),
    ],
)
def test_spanish_yes_and_no_answer_the_consent_question(text, value):
    assert answer_consent(text).value is value


@pytest.mark.parametrize("text", ["Olvídelo", "olvidalo porfa", "ya no", "cancelar"])
def test_spanish_cancels_leave_the_form(text):
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["omitir", "prefiero no decirlo", "paso", "no quiero darlo"])
def test_spanish_refusals_skip_one_question(text):
    assert is_decline(text) and not is_cancel(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [("me llamo maría", "María"), ("Soy Juan", "Juan"), ("hola, mi nombre es Lupe", "Lupe"), ("yo soy rosa", "Rosa")],
)
def test_spanish_introductions_give_the_first_name(text, name):
    assert clean_first_name(text) == name


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("mi cel es 714 555 0123", "+17145550123"),
        ("llámeme al (949)555-0123 porfa", "+19495550123"),
        ("mi número: 949.555.0100", "+19495550100"),
    ],
)
def test_phone_numbers_are_found_in_spanish_sentences(text, phone):
    assert parse_contact(text).phone == phone


@pytest.mark.parametrize("text", ["en la tarde", "después de las 5", "el martes en la mañana", "entre semana"])
def test_spanish_times_are_kept_as_the_visitor_wrote_them(text):
    answer = answer_best_time(text)
    assert answer.value == text and not answer.cancelled and answer.problem is None


def test_a_spanish_escalation_records_its_language_and_the_need_for_a_spanish_speaker(directory):
    escalation = build_escalation(
        reason="request_human",
        sender_id="s1",
        trigger={"text": "quiero hablar con alguien", "message_id": "m1"},
        events=[],
        language="es",
    )
    assert escalation.language == "es" and escalation.needs_spanish_speaker


def test_an_english_visitor_asking_for_a_spanish_speaker_is_flagged_too(directory):
    asked = default_words().asks_for_spanish_speaker("do you have someone who speaks Spanish? it's for my mom")
    escalation = build_escalation(
        reason="request_human",
        sender_id="s2",
        trigger={"text": "x", "message_id": "m2"},
        events=[],
        language="en",
        needs_spanish_speaker=asked,
    )
    assert escalation.language == "en" and escalation.needs_spanish_speaker
    assert not default_words().asks_for_spanish_speaker("can I talk to a person")


@time_machine.travel(datetime(2026, 12, 24, 23, 0, tzinfo=PACIFIC), tick=False)
def test_the_next_steps_are_said_in_spanish(directory):
    values = next_steps_values(directory, "Lupe", language="es")
    assert values == {"thanks": "Gracias, Lupe.", "when": "el sábado 26 de diciembre desde las 9:00 a. m."}
    text = message("escalation_recorded", "socketio", "es", **values)["text"]
    assert text.startswith("Gracias, Lupe. Una persona de nuestra clínica se comunicará con usted el sábado")
    assert "988" in text and "911" in text


def test_the_callback_window_in_spanish(directory):
    window = next_callback_window(directory, datetime(2026, 11, 24, 19, 0, tzinfo=PACIFIC))
    assert window.describe(datetime(2026, 11, 24).date(), "es") == ("mañana (miércoles) desde las 8:00 a. m.")


def test_the_finder_answers_in_spanish_on_the_web_and_by_sms(directory):
    nearest = render_location_answer(directory, find_place("vivo en Anaheim"), None, sms=False, language="es")
    assert nearest.startswith("La clínica más cercana a Anaheim es la de Orange, a unas")
    assert "[Mapa de Orange]" in nearest and "Estacionamiento gratis" in nearest
    sms = render_location_answer(directory, find_place("tienen en Irvine?"), None, sms=True, language="es")
    assert sms.startswith("Si, tenemos una clinica en Irvine. Clinica de Irvine:")
    contact = render_contact_answer(directory, list(directory.clinics), sms=False, language="es")
    assert contact.startswith("Recepción: ")


def test_a_clinic_named_in_spanish_is_found(directory):
    assert clinic_named(directory, "la clínica de Irvine").id == "irvine"
    assert clinic_named(directory, "oficina de laguna").id == "laguna-hills"


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("abren el sábado?", "Horario para sábado 28 de noviembre:"),
        ("abren los domingos?", "Horario para domingo 29 de noviembre:"),
        ("y mañana?", "Horario para mañana (miércoles):"),
        ("abren en navidad?", "Horario para Christmas Day (viernes 25 de diciembre):"),
    ],
)
def test_hours_questions_in_spanish_name_the_day_in_spanish(directory, text, heading):
    now = datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC)
    answer = render_hours_answer(directory, list(directory.clinics), text, sms=False, now=now, language="es")
    assert answer.splitlines()[0] == heading
    assert "cerrado" in answer or " de " in answer


def test_in_the_morning_is_not_tomorrow(directory):
    now = datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC)
    answer = render_hours_answer(
        directory, list(directory.clinics), "abren en la mañana?", sms=False, now=now, language="es"
    )
    assert answer.startswith("Hoy (martes, 10:00 a. m. aquí):")
    assert "(abierto ahora)" in answer
