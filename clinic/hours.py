"""Opening hours from the clinic directory, in the clinics' own time zone, holidays included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from clinic.calendar_words import clock_time, long_date, weekday_name
from clinic.directory import Clinic, Directory
from clinic.messages import message_text

CALLBACK_MARGIN = timedelta(minutes=30)
SEARCH_DAYS = 14


@lru_cache(maxsize=8)
def california_holidays(year: int) -> holidays.HolidayBase:
    """The year's US and California holidays (building the calendar is slow: cached)."""
    return holidays.country_holidays("US", subdiv="CA", years=year)


def holiday_closure(directory: Directory, day: date) -> str | None:
    """The name of the holiday closing every clinic on ``day``, if any."""
    name = california_holidays(day.year).get(day)
    if not name:
        return None
    for closure in directory.holiday_closures:
        if any(part.strip().startswith(closure) for part in name.split(";")):
            return closure
    return None


def opening_on(directory: Directory, clinic: Clinic, day: date) -> tuple[time, time] | None:
    """Opening and closing time of ``clinic`` on ``day``, or None when it is closed."""
    if day in clinic.closed_dates or holiday_closure(directory, day):
        return None
    return clinic.hours.get(day.weekday())


def local_now(directory: Directory, now: datetime | None = None) -> datetime:
    return (now or datetime.now(tz=directory.timezone)).astimezone(directory.timezone)


def is_open(directory: Directory, clinic: Clinic, now: datetime | None = None) -> bool:
    moment = local_now(directory, now)
    hours = opening_on(directory, clinic, moment.date())
    return hours is not None and hours[0] <= moment.time() < hours[1]


def format_time(value: time, language: str = "en") -> str:
    return clock_time(value, language)


@dataclass(frozen=True)
class CallbackWindow:
    """When staff can next call back: later today, or from a later opening."""

    today: bool
    day: date
    starts: time
    ends: time

    def describe(self, now_day: date, language: str = "en") -> str:
        """When staff will call, for the "escalation_recorded" message (content/messages.yml)."""
        values = {
            "ends": clock_time(self.ends, language),
            "starts": clock_time(self.starts, language),
            "weekday": weekday_name(self.day, language),
            "date": long_date(self.day, language),
        }
        if self.today:
            name = "callback_today_before"
        elif self.day == now_day:
            name = "callback_today_from"
        elif self.day == now_day + timedelta(days=1):
            name = "callback_tomorrow"
        else:
            name = "callback_on"
        return message_text(name, None, language, **values)


def next_callback_window(directory: Directory, now: datetime | None = None) -> CallbackWindow:
    """The next time any clinic is open long enough for staff to call someone back."""
    moment = local_now(directory, now)
    for offset in range(SEARCH_DAYS):
        day = moment.date() + timedelta(days=offset)
        spans = [h for c in directory.clinics if (h := opening_on(directory, c, day))]
        if not spans:
            continue
        opens, closes = min(s[0] for s in spans), max(s[1] for s in spans)
        if offset == 0:
            latest_start = (datetime.combine(day, closes) - CALLBACK_MARGIN).time()
            if opens <= moment.time() <= latest_start:
                return CallbackWindow(True, day, moment.time(), closes)
            if moment.time() < opens:
                return CallbackWindow(False, day, opens, closes)
            continue
        return CallbackWindow(False, day, opens, closes)
    raise ValueError("no clinic opens in the next two weeks: check the directory's hours")
