"""Clinic finder logic: gazetteer, distances, nearest clinic, hours and both renderings."""

import dataclasses
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clinic.directory import default_directory
from clinic.finder import (
    SMS_LIMIT,
    clinic_named,
    distance_miles,
    nearest_clinics,
    render_all_locations,
    render_contact_answer,
    render_hours_answer,
    render_location_answer,
)
from clinic.places import default_gazetteer, find_place
from clinic.sms_render import is_gsm7

PACIFIC = ZoneInfo("America/Los_Angeles")
OC_CITIES = [
    "Aliso Viejo",
    "Anaheim",
    "Brea",
    "Buena Park",
    "Costa Mesa",
    "Cypress",
    "Dana Point",
    "Fountain Valley",
    "Fullerton",
    "Garden Grove",
    "Huntington Beach",
    "Irvine",
    "La Habra",
    "La Palma",
    "Laguna Beach",
    "Laguna Hills",
    "Laguna Niguel",
    "Laguna Woods",
    "Lake Forest",
    "Los Alamitos",
    "Mission Viejo",
    "Newport Beach",
    "Orange",
    "Placentia",
    "Rancho Santa Margarita",
    "San Clemente",
    "San Juan Capistrano",
    "Santa Ana",
    "Seal Beach",
    "Stanton",
    "Tustin",
    "Villa Park",
    "Westminster",
    "Yorba Linda",
]


@pytest.fixture(scope="module")
def directory():
    return default_directory()


def links(text):
    return re.findall(r"https?://\S+", text)


def test_gazetteer_has_every_oc_city_and_zip():
    gazetteer = default_gazetteer()
    assert {c.lower() for c in OC_CITIES} <= set(gazetteer.places)
    assert len(gazetteer.zips) == 149
    assert "ladera ranch" in gazetteer.places and "rossmoor" in gazetteer.places


def test_great_circle_distance():
    # Irvine to Orange clinic coordinates: about 7.1 miles apart.
    assert distance_miles(33.6846, -117.8265, 33.7879, -117.8531) == pytest.approx(7.3, abs=0.3)
    assert distance_miles(33.0, -117.0, 33.0, -117.0) == 0


@pytest.mark.parametrize(
    ("text", "place", "clinic"),
    [
        ("closest office to 92630?", "ZIP 92630 (Lake Forest)", "Laguna Hills"),
        ("I'm in 92867-1234", "ZIP 92867 (Orange)", "Orange"),
        ("which one is near anaheim", "Anaheim", "Orange"),
        ("I live in hntington beach", "Huntington Beach", "Irvine"),
        ("near mision viejo", "Mission Viejo", "Laguna Hills"),
        ("we're in ladera ranch", "Ladera Ranch", "Laguna Hills"),
        ("closest to Tustin", "Tustin", "Irvine"),
        ("nearest to san clemente", "San Clemente", "Laguna Hills"),
        ("fullerton", "Fullerton", "Orange"),
    ],
)
def test_nearest_clinic_for_places_and_zips(directory, text, place, clinic):
    lookup = find_place(text)
    assert lookup.place.name == place
    assert nearest_clinics(lookup.place, directory.clinics)[0][0].name == clinic


def test_typo_of_a_clinic_city():
    assert find_place("do u have one in irvin").place.name == "Irvine"


@pytest.mark.parametrize(
    ("text", "outside"),
    [
        ("I live in Los Angeles", "Los Angeles"),
        ("anything near san diego?", "San Diego"),
        ("I'm at 90210", "90210 (Beverly Hills, CA)"),
        ("closest to 10001", "10001 (New York, NY)"),
    ],
)
def test_places_outside_orange_county(text, outside):
    assert find_place(text).outside == outside


def test_unknown_and_county_wide_questions():
    assert find_place("is there one near me", ["zzyzxville"]).unknown == "zzyzxville"
    assert find_place("do you have an orange county office?").place is None
    assert find_place("where are you located").place is None


@pytest.mark.parametrize(
    ("value", "clinic"),
    [
        ("laguna", "Laguna Hills"),
        ("Laguna Hills", "Laguna Hills"),
        ("irvin office", "Irvine"),
        ("Orange location", "Orange"),
        ("laguna-hills", "Laguna Hills"),
    ],
)
def test_clinic_names_with_synonyms_and_typos(directory, value, clinic):
    assert clinic_named(directory, value).name == clinic


def test_clinic_named_rejects_other_places(directory):
    assert clinic_named(directory, "Santa Ana") is None


def test_location_answers_web_and_sms(directory):
    in_city = render_location_answer(directory, find_place("one in Irvine?"), None, sms=False)
    assert in_city.startswith("Yes, we have a clinic in Irvine.") and "google.com/maps" in in_city
    nearest = render_location_answer(directory, find_place("near 92630"), None, sms=True)
    assert "about 3 miles" in nearest and len(nearest) <= SMS_LIMIT and len(links(nearest)) == 1
    outside = render_location_answer(directory, find_place("I live in Los Angeles"), None, sms=False)
    assert "outside Orange County" in outside and all(c.name in outside for c in directory.clinics)


def test_all_locations_web_has_a_map_link_per_clinic_and_sms_has_none(directory):
    assert len(links(render_all_locations(directory, sms=False))) == 3
    sms = render_all_locations(directory, sms=True)
    assert links(sms) == [] and len(sms) <= SMS_LIMIT


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC), tick=False)
def test_open_now_on_a_tuesday_morning(directory):
    answer = render_hours_answer(directory, directory.clinics, "are you open now?", sms=False)
    assert answer.count("(open now)") == 3


@time_machine.travel(datetime(2026, 11, 24, 20, 0, tzinfo=PACIFIC), tick=False)
def test_closed_now_in_the_evening(directory):
    answer = render_hours_answer(directory, directory.clinics, "r u open rn", sms=True)
    assert answer.count("closed now") == 3 and len(answer) <= SMS_LIMIT


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC), tick=False)
def test_saturday_hours(directory):
    answer = render_hours_answer(directory, directory.clinics, "are you open on saturday", sms=False)
    assert "Saturday, November 28" in answer
    assert "Irvine: 9:00 AM to 1:00 PM" in answer and "Orange: closed" in answer


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC), tick=False)
def test_when_does_orange_close_today(directory):
    answer = render_hours_answer(directory, [directory.by_id("orange")], "when does orange close today", sms=False)
    assert "Orange: 8:00 AM to 5:00 PM (open now)" in answer and "Irvine" not in answer


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC), tick=False)
def test_holidays_by_name_and_tomorrow(directory):
    thanksgiving = render_hours_answer(directory, directory.clinics, "open on thanksgiving?", sms=False)
    assert thanksgiving.count("closed (Thanksgiving Day)") == 3
    tomorrow = render_hours_answer(directory, directory.clinics, "hours tmrw?", sms=False)
    assert "tomorrow (Wednesday)" in tomorrow


@time_machine.travel(datetime(2026, 12, 20, 10, 0, tzinfo=PACIFIC), tick=False)
def test_christmas_closure(directory):
    answer = render_hours_answer(directory, directory.clinics, "open xmas day?", sms=False)
    assert answer.count("closed (Christmas Day)") == 3


def test_contact_for_one_clinic_or_all(directory):
    one = render_contact_answer(directory, [directory.by_id("irvine")], sms=False)
    assert "(949) 555-0102" in one and "irvine@" in one
    everything = render_contact_answer(directory, directory.clinics, sms=True)
    assert directory.group_phone in everything and len(everything) <= SMS_LIMIT


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("hntngtn bch", "Huntington Beach"),
        ("irvin", "Irvine"),
        ("laguna hils", "Laguna Hills"),
        ("lgna hls", "Laguna Hills"),
        ("sn clmnte", "San Clemente"),
        ("im in fountain vally", "Fountain Valley"),
    ],
)
def test_place_names_with_typos_and_texting_shorthand_resolve_with_rapidfuzz(typed, place):
    from clinic.places import find_place

    assert find_place(typed).place.name == place


@pytest.mark.parametrize("typed", ["what are your hours", "sunday", "is there parking", "hntngtn", "thanks"])
def test_ordinary_words_are_not_taken_for_misspelled_places(typed):
    from clinic.places import find_place

    assert find_place(typed).place is None


def test_an_sms_answer_cut_to_the_limit_stays_gsm7_and_ends_on_a_whole_word(directory):
    many = dataclasses.replace(
        directory,
        clinics=[dataclasses.replace(c, name=f"{c.name} Satellite {n}") for n in range(4) for c in directory.clinics],
    )
    answer = render_hours_answer(many, many.clinics, "hours tomorrow", sms=True)
    assert len(answer) <= SMS_LIMIT and answer.endswith("...")
    assert is_gsm7(answer)
    assert answer[: -len("...")].split()[-1] in render_hours_answer(many, many.clinics, "hours tomorrow", sms=False)


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=PACIFIC), tick=False)
def test_a_spanish_sms_hours_answer_ends_with_one_full_stop(directory):
    answer = render_hours_answer(directory, directory.clinics, "horario mañana", sms=True, language="es")
    assert answer.endswith("p. m.") and not answer.endswith("..")
