"""Quiet hours for texts the clinic starts: 8 am to 9 pm in the recipient's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.quiet_hours import recipient_zones, send_window

PACIFIC = ZoneInfo("America/Los_Angeles")
EASTERN = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("number", "zones"),
    [
        ("+19495550123", ["America/Los_Angeles"]),
        ("(949) 555-0123", ["America/Los_Angeles"]),
        ("+12125550123", ["America/New_York"]),
        ("+18085550123", ["Pacific/Honolulu"]),
        ("+17015550123", ["America/Denver", "America/North_Dakota/Center"]),
        ("not a number", ["America/Los_Angeles"]),
        ("+15555550123", ["America/Los_Angeles"]),  # no zone known for the area code: Pacific
    ],
)
def test_the_zone_comes_from_the_area_code_with_pacific_by_default(number, zones):
    assert [zone.key for zone in recipient_zones(number)] == zones


@pytest.mark.parametrize(
    ("local", "quiet"),
    [((7, 59), True), ((8, 0), False), ((12, 0), False), ((20, 59), False), ((21, 0), True), ((23, 30), True)],
)
def test_texts_go_out_from_8_am_to_9_pm_local(local, quiet):
    now = datetime(2026, 3, 10, *local, tzinfo=PACIFIC)
    assert send_window("+19495550123", now).quiet is quiet


def test_late_evening_opens_at_8_am_the_next_day_and_early_morning_the_same_day():
    late = send_window("+19495550123", datetime(2026, 3, 10, 22, 15, tzinfo=PACIFIC))
    assert late.opens_at == datetime(2026, 3, 11, 8, 0, tzinfo=PACIFIC)
    early = send_window("+19495550123", datetime(2026, 3, 10, 6, 0, tzinfo=PACIFIC))
    assert early.opens_at == datetime(2026, 3, 10, 8, 0, tzinfo=PACIFIC)


def test_the_recipients_zone_not_the_clinics_decides():
    # 7 pm in California is 10 pm in New York: quiet there, until 8 am Eastern (5 am Pacific).
    window = send_window("+12125550123", datetime(2026, 3, 10, 19, 0, tzinfo=PACIFIC))
    assert window.quiet and window.opens_at == datetime(2026, 3, 11, 8, 0, tzinfo=EASTERN)
    assert not send_window("+12125550123", datetime(2026, 3, 10, 6, 0, tzinfo=PACIFIC)).quiet


def test_an_area_code_across_two_zones_must_be_inside_the_window_in_both():
    # 8:30 am Mountain is 9:30 am Central: open in both.
    denver = ZoneInfo("America/Denver")
    assert not send_window("+17015550123", datetime(2026, 3, 10, 8, 30, tzinfo=denver)).quiet
    # 8:30 pm Mountain is 9:30 pm Central: quiet in the Central part of the area code.
    window = send_window("+17015550123", datetime(2026, 3, 10, 20, 30, tzinfo=denver))
    assert window.quiet and window.opens_at == datetime(2026, 3, 11, 8, 0, tzinfo=denver)


def test_daylight_saving_night_is_handled_in_local_time():
    # The night clocks go forward in California (March 8, 2026): 8 am local is still 8 am.
    window = send_window("+19495550123", datetime(2026, 3, 8, 1, 30, tzinfo=PACIFIC))
    assert window.opens_at.astimezone(PACIFIC).hour == 8
