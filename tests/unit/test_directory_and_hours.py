"""The clinic directory and opening hours, with the clock frozen in Pacific time."""

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml

from clinic.directory import DirectoryError, load_directory, parse_directory
from clinic.escalation_flow import next_steps_values
from clinic.hours import holiday_closure, is_open, next_callback_window
from harness.servers import ROOT

PACIFIC = ZoneInfo("America/Los_Angeles")
RAW = yaml.safe_load((ROOT / "content" / "clinics.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def directory():
    return load_directory(ROOT / "content" / "clinics.yml")


def at(*args):
    return datetime(*args, tzinfo=PACIFIC)


def test_shipped_directory_has_the_three_clinics(directory):
    assert [c.name for c in directory.clinics] == ["Orange", "Irvine", "Laguna Hills"]
    assert all("555-01" in c.phone for c in directory.clinics)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["clinics"][0].pop("phone"), r"missing field\(s\) phone"),
        (lambda d: d["clinics"][1]["hours"].update(monday="9am-5pm"), "must look like 08:00-17:00"),
        (lambda d: d["clinics"][1]["hours"].update(monday="17:00-08:00"), "must open before they close"),
        (lambda d: d["clinics"][2].update(latitude=133.6), "not on Earth"),
        (lambda d: d["clinics"][2].update(longitude="west"), "must be numbers"),
        (lambda d: d["clinics"][0]["hours"].update(funday="08:00-09:00"), "unknown weekday"),
        (lambda d: d.update(clinics=[]), "non-empty 'clinics'"),
        (lambda d: d["clinics"][1].update(id="orange"), "unique"),
    ],
)
def test_bad_directories_fail_with_clear_errors(change, message):
    data = copy.deepcopy(RAW)
    change(data)
    with pytest.raises(DirectoryError, match=message):
        parse_directory(data)


def test_open_and_closed_in_pacific_time(directory):
    irvine = directory.by_id("irvine")
    assert is_open(directory, irvine, at(2026, 11, 24, 10, 0))  # Tuesday morning
    assert not is_open(directory, irvine, at(2026, 11, 24, 18, 30))
    assert is_open(directory, irvine, at(2026, 11, 28, 10, 0))  # Saturday: Irvine only
    assert not is_open(directory, directory.by_id("orange"), at(2026, 11, 28, 10, 0))


def test_utc_times_are_read_in_pacific_time(directory):
    # 17:00 UTC on a Tuesday is 09:00 in Irvine.
    assert is_open(directory, directory.by_id("irvine"), datetime(2026, 11, 24, 17, 0, tzinfo=ZoneInfo("UTC")))


def test_thanksgiving_closes_every_clinic(directory):
    assert holiday_closure(directory, at(2026, 11, 26).date()) == "Thanksgiving Day"
    assert not any(is_open(directory, c, at(2026, 11, 26, 11, 0)) for c in directory.clinics)


def test_callback_today_within_hours(directory):
    window = next_callback_window(directory, at(2026, 11, 24, 10, 0))
    assert window.today and window.describe(window.day) == "today, before 6:00 PM"


def test_callback_after_hours_is_the_next_business_day(directory):
    window = next_callback_window(directory, at(2026, 11, 24, 19, 0))
    assert not window.today
    assert window.describe(at(2026, 11, 24).date()) == "tomorrow (Wednesday) from 8:00 AM"


def test_callback_skips_thanksgiving_and_the_day_after(directory):
    window = next_callback_window(directory, at(2026, 11, 25, 20, 0))
    assert window.day == at(2026, 11, 28).date()  # Saturday, Irvine
    assert window.describe(at(2026, 11, 25).date()) == "on Saturday, November 28 from 9:00 AM"


def test_too_close_to_closing_moves_to_the_next_opening(directory):
    window = next_callback_window(directory, at(2026, 11, 24, 17, 45))
    assert not window.today


def test_early_morning_is_later_today(directory):
    window = next_callback_window(directory, at(2026, 11, 24, 6, 0))
    assert window.describe(window.day) == "today from 8:00 AM"


@time_machine.travel(datetime(2026, 12, 24, 23, 0, tzinfo=PACIFIC), tick=False)
def test_next_steps_out_of_hours_on_christmas_eve(directory):
    values = next_steps_values(directory, "Dana")
    assert values == {"thanks": "Thank you, Dana.", "when": "on Saturday, December 26 from 9:00 AM"}


def test_directory_check_command_reports_a_broken_file(tmp_path, monkeypatch, capsys):
    from clinic.directory import main

    broken = tmp_path / "clinics.yml"
    broken.write_text("clinics: []\n", encoding="utf-8")
    monkeypatch.setenv("CLINIC_DIRECTORY", str(broken))
    with pytest.raises(SystemExit, match="non-empty 'clinics'"):
        main()
    monkeypatch.setenv("CLINIC_DIRECTORY", str(ROOT / "content" / "clinics.yml"))
    main()
    assert "3 clinics OK" in capsys.readouterr().out
