"""The contact form's "best time to reach you", as a structured window, and a callback that keeps it.

"evenings", "after 5", "Tuesday morning", "weekdays before noon", "mañana por la tarde": a small
parser (no dependency; the phrases people type here are few) turns the answer into days and a
time span. ``callback_within`` then finds the first time in the next two weeks when that span
meets the clinics' opening hours, so the confirmation never promises a time the visitor ruled
out, or one when every clinic is closed. When the two never meet (evenings, while every clinic
closes at 6 PM), it says so and gives the closest time the clinics can call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from clinic.calendar_words import WEEKDAY_WORDS, long_date, weekday_name
from clinic.directory import Directory
from clinic.hours import CALLBACK_MARGIN, SEARCH_DAYS, format_time, local_now, opening_on
from clinic.messages import message_text

PARTS_OF_DAY = {
    "morning": (time(8), time(12)),
    "mornings": (time(8), time(12)),
    "mañana": (time(8), time(12)),
    "lunchtime": (time(11, 30), time(13, 30)),
    "afternoon": (time(12), time(17)),
    "afternoons": (time(12), time(17)),
    "tarde": (time(12), time(19)),
    "tardes": (time(12), time(19)),
    "evening": (time(17), time(21)),
    "evenings": (time(17), time(21)),
    "tonight": (time(17), time(21)),
    "night": (time(17), time(21)),
    "noche": (time(17), time(21)),
    "noches": (time(17), time(21)),
}
WEEKDAY_SET = frozenset(range(5))
WEEKEND_SET = frozenset({5, 6})
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# "after 5", "after 5:30 pm", "before 10am", "antes de las 11", "después de las 4"
BOUND = re.compile(
    r"\b(after|before|by|from|since|until|till|antes de las|antes de la|después de las|despues de las|desde las)"
    r"\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?",
    re.IGNORECASE,
)
# "at 3", "around 2pm", "a las 3"
AT = re.compile(r"\b(?:at|around|about|a las|a eso de las)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.I)
EARLY_HOUR = 7  # a bare "after 5" means 5 PM: nobody asks for a call at 5 AM
DAY_END = time(21)
DAY_START = time(8)


@dataclass(frozen=True)
class BestTime:
    """Days (weekday numbers; ``on`` for one date) and a time span; None means any."""

    days: frozenset[int] | None = None
    on: date | None = None
    starts: time | None = None
    ends: time | None = None

    @property
    def understood(self) -> bool:
        return any(v is not None for v in (self.days, self.on, self.starts, self.ends))


def _hour(hour: str, minute: str | None, meridiem: str | None) -> time:
    value = int(hour) % 24
    mark = (meridiem or "").lower().replace(".", "")
    if mark == "pm" and value < 12:
        value += 12
    elif not mark and 1 <= value < EARLY_HOUR:
        value += 12
    return time(min(value, 23), int(minute or 0))


def parse_best_time(text: str, today: date) -> BestTime:
    """The window in an answer such as "Tuesday morning" or "after 5"; ``understood`` is False when none."""
    # "before noon" is a bound like "before 12pm".
    lowered = re.sub(r"\b(?:noon|midday|mediodía|mediodia)\b", "12pm", (text or "").lower())
    words = WORD.findall(lowered)
    days: set[int] = set()
    on: date | None = None
    starts: time | None = None
    ends: time | None = None
    if "weekday" in lowered or "weekdays" in words or "entre semana" in lowered:
        days |= WEEKDAY_SET
    if "weekend" in lowered or "fin de semana" in lowered:
        days |= WEEKEND_SET
    days |= {WEEKDAY_WORDS[w] for w in words if w in WEEKDAY_WORDS}
    # Spanish "mañana" alone or before a part of the day is tomorrow; "por la mañana" is the morning.
    tomorrow_es = "mañana" in words and not re.search(r"\b(?:la|las|en la|por la)\s+mañana", lowered)
    if "tomorrow" in words or "tmrw" in words or tomorrow_es:
        on = today + timedelta(days=1)
    elif "today" in words or "hoy" in words or "tonight" in words:
        on = today
    parts = [PARTS_OF_DAY[w] for w in words if w in PARTS_OF_DAY and not (w == "mañana" and tomorrow_es)]
    if parts:
        starts, ends = min(p[0] for p in parts), max(p[1] for p in parts)
    for word, hour, minute, meridiem in BOUND.findall(lowered):
        bound = _hour(hour, minute, meridiem)
        if word.lower() in ("after", "from", "since", "después de las", "despues de las", "desde las"):
            starts, ends = bound, ends or DAY_END
        else:
            starts, ends = starts or DAY_START, bound
    at = AT.search(lowered)
    if at and starts is None:
        moment = _hour(*at.groups())
        starts, ends = moment, (datetime.combine(today, moment) + timedelta(hours=1)).time()
    return BestTime(frozenset(days) or None, on, starts, ends)


@dataclass(frozen=True)
class Callback:
    """When the team will call: a day and a span, and whether it keeps the visitor's window."""

    day: date
    starts: time
    ends: time
    kept: bool

    def describe(self, today: date, language: str = "en") -> str:
        """The confirmation's "when" (content/messages.yml ``callback_span_*``)."""
        if self.day == today:
            name = "callback_span_today"
        elif self.day == today + timedelta(days=1):
            name = "callback_span_tomorrow"
        else:
            name = "callback_span_on"
        values = {
            "starts": format_time(self.starts, language),
            "ends": format_time(self.ends, language),
            "weekday": weekday_name(self.day, language),
            "date": long_date(self.day, language),
        }
        return message_text(name, None, language, **values)


def _open_span(directory: Directory, day: date) -> tuple[time, time] | None:
    spans = [h for c in directory.clinics if (h := opening_on(directory, c, day))]
    return (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None


def callback_within(directory: Directory, wanted: BestTime, now: datetime | None = None) -> Callback | None:
    """The first span in the next two weeks inside both ``wanted`` and the clinics' hours.

    None when they never meet in that time; ``closest_callback`` then gives the nearest span.
    """
    moment = local_now(directory, now)
    for offset in range(SEARCH_DAYS):
        day = moment.date() + timedelta(days=offset)
        if (wanted.on and day != wanted.on) or (wanted.days and day.weekday() not in wanted.days):
            continue
        span = _open_span(directory, day)
        if span is None:
            continue
        starts = max(span[0], wanted.starts or span[0])
        ends = min(span[1], wanted.ends or span[1])
        if offset == 0:
            starts = max(starts, moment.time())
        if datetime.combine(day, ends) - datetime.combine(day, starts) >= CALLBACK_MARGIN:
            return Callback(day, starts, ends, kept=True)
    return None


def closest_callback(directory: Directory, wanted: BestTime, now: datetime | None = None) -> Callback:
    """The clinics' first opening on a wanted day (or any day), nearest the wanted hours."""
    relaxed = BestTime(wanted.days, wanted.on)
    found = callback_within(directory, relaxed, now) or callback_within(directory, BestTime(), now)
    if found is None:
        raise ValueError("no clinic opens in the next two weeks: check the directory's hours")
    if wanted.starts and wanted.starts >= found.ends:
        # Evenings: the end of the clinics' day is the closest to it.
        starts = max(found.starts, (datetime.combine(found.day, found.ends) - timedelta(hours=1)).time())
        return Callback(found.day, starts, found.ends, kept=False)
    return Callback(found.day, found.starts, found.ends, kept=False)
