"""The finder knows the neighbouring counties' places, and a holiday's eve from the holiday."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.directory import default_directory
from clinic.finder import render_location_answer, requested_day
from clinic.places import PlaceLookup, find_place

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.mark.parametrize(
    ("said", "place", "county"),
    [
        ("corona", "Corona", "Riverside"),
        ("i live in riverside", "Riverside", "Riverside"),
        ("closest to long beach?", "Long Beach", "Los Angeles"),
        ("chino hills", "Chino Hills", "San Bernardino"),
        ("we're down in oceanside", "Oceanside", "San Diego"),
    ],
)
def test_places_in_neighbouring_counties_are_named_with_their_county(said, place, county):
    assert find_place(said) == PlaceLookup(outside=place, county=county)


def test_orange_county_places_still_win_over_neighbours():
    assert find_place("fullerton").place.name == "Fullerton"
    assert find_place("la habra").place.name == "La Habra"


def test_the_answer_says_which_county_a_place_is_in():
    answer = render_location_answer(default_directory(), find_place("corona"), None, sms=False)
    assert answer.startswith("Corona is in Riverside County, outside Orange County, where our clinics are.")


@pytest.mark.parametrize(
    ("said", "day", "label"),
    [
        ("christmas eve hours?", date(2026, 12, 24), "Christmas Eve (Thursday, December 24)"),
        ("xmas eve", date(2026, 12, 24), "Christmas Eve (Thursday, December 24)"),
        ("open on new year's eve", date(2026, 12, 31), "New Year's Eve (Thursday, December 31)"),
        ("open on christmas?", date(2026, 12, 25), "Christmas Day (Friday, December 25)"),
    ],
)
def test_an_eve_is_the_day_before_its_holiday(said, day, label):
    assert requested_day(said, NOW, default_directory()) == (day, label)
