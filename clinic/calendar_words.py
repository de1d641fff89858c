"""Day names, dates and clock times in the visitor's language (content/calendar.yml)."""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CALENDAR = Path(__file__).resolve().parent.parent / "content" / "calendar.yml"

# The week as people type it (Monday is 0, as in ``date.weekday``): the keys of the clinic
# directory's hours, and the words the hours answer and the contact form read.
ENGLISH_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SPANISH_WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")  # without accents
WEEKDAY_ABBREVIATIONS = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
WEEKDAY_WORDS = {
    **{name: index for index, name in enumerate(ENGLISH_WEEKDAYS)},
    **{name: index for index, name in enumerate(SPANISH_WEEKDAYS)},
    "miércoles": 2,
    "sábado": 5,
    **WEEKDAY_ABBREVIATIONS,
}


@lru_cache(maxsize=1)
def calendar_words(path: Path = DEFAULT_CALENDAR) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _words(language: str) -> dict[str, Any]:
    words = calendar_words()
    chosen: dict[str, Any] = words.get(language) or words["en"]
    return chosen


def weekday_name(day: date, language: str = "en") -> str:
    name: str = _words(language)["weekdays"][day.weekday()]
    return name


def long_date(day: date, language: str = "en") -> str:
    """ "Saturday, November 28" / "sábado 28 de noviembre"."""
    words = _words(language)
    template: str = words["date"]
    return template.format(weekday=words["weekdays"][day.weekday()], month=words["months"][day.month - 1], day=day.day)


def clock_time(value: time, language: str = "en") -> str:
    """ "5:00 PM" / "5:00 p. m."."""
    words = _words(language)
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {words['am'] if value.hour < 12 else words['pm']}"
