"""Clinic finder answers: locations, the nearest clinic, hours and contact, for web and SMS.

Each answer has two renderings: the web one (several lines, a map link per clinic) and the
SMS one (plain text, at most one short map link, within SMS_LIMIT characters).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from clinic.directory import Clinic, Directory
from clinic.hours import format_time, holiday_closure, is_open, local_now, opening_on
from clinic.places import Place, PlaceLookup

EARTH_RADIUS_MILES = 3958.8
SMS_LIMIT = 320
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_ALIASES = {
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
    "weekend": 5,
}


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def nearest_clinics(place: Place, clinics: Iterable[Clinic]) -> list[tuple[Clinic, float]]:
    ranked = [(c, distance_miles(place.latitude, place.longitude, c.latitude, c.longitude)) for c in clinics]
    return sorted(ranked, key=lambda pair: pair[1])


def clinic_named(directory: Directory, value: str | None) -> Clinic | None:
    """The clinic a visitor means by "laguna", "Irvine office", "irvin", ... or None."""
    if not value:
        return None
    wanted = value.lower().replace("clinic", "").replace("office", "").replace("location", "").strip()
    names = {c.name.lower(): c for c in directory.clinics} | {c.id: c for c in directory.clinics}
    if wanted in names:
        return names[wanted]
    for clinic in directory.clinics:
        if wanted and (clinic.name.lower().startswith(wanted) or wanted.startswith(clinic.name.lower())):
            return clinic
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else None


def clinic_in_city(directory: Directory, place: Place | None) -> Clinic | None:
    if place is None or place.zip_code:
        return None
    return next((c for c in directory.clinics if c.city.lower() == place.name.lower()), None)


def map_link(clinic: Clinic) -> str:
    return f"https://www.google.com/maps/search/?api=1&query={clinic.latitude},{clinic.longitude}"


def short_map_link(clinic: Clinic) -> str:
    return f"https://maps.google.com/?q={clinic.latitude},{clinic.longitude}"


def fit_sms(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SMS_LIMIT else text[: SMS_LIMIT - 1].rstrip() + "…"


def clinic_card(clinic: Clinic) -> str:
    where = f"{clinic.address}, {clinic.city} {clinic.zip}"
    return f"{clinic.name}: {where}. {clinic.phone}. [Map of {clinic.name}]({map_link(clinic)})"


def render_all_locations(directory: Directory, sms: bool, lead: str = "") -> str:
    if sms:
        names = ", ".join(c.name for c in directory.clinics)
        return fit_sms(f"{lead}We have clinics in {names}. Call {directory.group_phone} for directions.")
    lines = [f"{lead}We have {len(directory.clinics)} clinics in Orange County:"]
    lines += [f"- {clinic_card(c)}" for c in directory.clinics]
    return "\n".join(lines)


def render_one_location(clinic: Clinic, sms: bool, lead: str = "") -> str:
    if sms:
        where = f"{clinic.address}, {clinic.city}"
        return fit_sms(f"{lead}{clinic.name} clinic: {where}. {clinic.phone}. {short_map_link(clinic)}")
    extras = " ".join(part for part in (clinic.parking, clinic.transit) if part)
    return f"{lead}{clinic_card(clinic)}" + (f"\n{extras}" if extras else "")


def clinic_answered(directory: Directory, lookup: PlaceLookup, named: Clinic | None) -> Clinic | None:
    """The one clinic ``render_location_answer`` shows, if it shows one: the conversation's clinic."""
    if named is not None:
        return named
    if lookup.place is None:
        return None
    return clinic_in_city(directory, lookup.place) or nearest_clinics(lookup.place, directory.clinics)[0][0]


def render_location_answer(directory: Directory, lookup: PlaceLookup, named: Clinic | None, sms: bool) -> str:
    """The answer to "where are you" / "one in Irvine?" / "closest to 92630?"."""
    if named is not None:
        return render_one_location(named, sms)
    if lookup.place is not None:
        here = clinic_in_city(directory, lookup.place)
        if here is not None:
            return render_one_location(here, sms, lead=f"Yes, we have a clinic in {here.city}. ")
        clinic, miles = nearest_clinics(lookup.place, directory.clinics)[0]
        lead = f"The closest clinic to {lookup.place.name} is {clinic.name}, about {miles:.0f} miles away. "
        return render_one_location(clinic, sms, lead=lead)
    if lookup.outside and lookup.county:
        lead = f"{lookup.outside} is in {lookup.county} County, outside Orange County, where our clinics are. "
        return render_all_locations(directory, sms, lead=lead)
    if lookup.outside:
        return render_all_locations(
            directory, sms, lead=f"{lookup.outside} is outside Orange County, where our clinics are. "
        )
    if lookup.unknown:
        return render_all_locations(directory, sms, lead=f'I couldn\'t find "{lookup.unknown}" in Orange County. ')
    return render_all_locations(directory, sms)


def requested_day(text: str, now: datetime, directory: Directory) -> tuple[date, str]:
    """The day a visitor asks about ("saturday", "tomorrow", "thanksgiving"); today by default."""
    words = [w.strip("?.,!") for w in (text or "").lower().split()]
    today = now.date()
    if "tomorrow" in words or "tmrw" in words or "tmr" in words:
        day = today + timedelta(days=1)
        return day, f"tomorrow ({day:%A})"
    for word in words:
        singular = word[:-1] if word.endswith("days") else word
        if singular in WEEKDAY_NAMES:
            index: int | None = WEEKDAY_NAMES.index(singular)
        else:
            index = WEEKDAY_ALIASES.get(word.rstrip("s"))
        if index is not None:
            ahead = (index - today.weekday()) % 7
            day = today + timedelta(days=ahead)
            return day, "today" if ahead == 0 else f"{day:%A, %B} {day.day}"
    holiday = _named_holiday(text, today, directory)
    if holiday:
        return holiday
    return today, "today"


def _named_holiday(text: str, today: date, directory: Directory) -> tuple[date, str] | None:
    import holidays

    lowered = (text or "").lower()
    upcoming = holidays.US(subdiv="CA", years=[today.year, today.year + 1])
    aliases = {
        "xmas": "christmas",
        "new years": "new year",
        "4th of july": "independence",
        "july 4": "independence",
    }
    for alias, name in aliases.items():
        lowered = lowered.replace(alias, name)
    for day, name in sorted(upcoming.items()):
        if day < today:
            continue
        key = name.lower().split(" (")[0].replace("'s", "").replace(" day", "")
        if key and f"{key} eve" in lowered.replace("'s", ""):
            # Christmas Eve, New Year's Eve: the day before, not the holiday itself.
            eve = day - timedelta(days=1)
            if eve >= today:
                return eve, f"{name.split(' Day')[0].split(' (')[0]} Eve ({eve:%A, %B} {eve.day})"
            continue
        if key and key in lowered.replace("'s", ""):
            return day, f"{name} ({day:%A, %B} {day.day})"
    return None


def day_hours_line(directory: Directory, clinic: Clinic, day: date) -> str:
    hours = opening_on(directory, clinic, day)
    if hours is None:
        closure = holiday_closure(directory, day)
        return f"{clinic.name}: closed" + (f" ({closure})" if closure else "")
    return f"{clinic.name}: {format_time(hours[0])} to {format_time(hours[1])}"


def render_hours_answer(
    directory: Directory, clinics: Sequence[Clinic], text: str, sms: bool, now: datetime | None = None
) -> str:
    moment = local_now(directory, now)
    day, label = requested_day(text, moment, directory)
    lines: list[str] = []
    if day == moment.date():
        for clinic in clinics:
            state = "open now" if is_open(directory, clinic, moment) else "closed now"
            lines.append(f"{day_hours_line(directory, clinic, day)} ({state})")
        heading = f"Today ({moment:%A}, {format_time(moment.time())} here):"
    else:
        lines = [day_hours_line(directory, clinic, day) for clinic in clinics]
        heading = f"Hours for {label}:"
    if sms:
        return fit_sms(f"{heading} " + "; ".join(lines) + ".")
    return "\n".join([heading] + [f"- {line}" for line in lines])


def render_contact_answer(directory: Directory, clinics: Sequence[Clinic], sms: bool) -> str:
    if sms:
        if len(clinics) == 1:
            clinic = clinics[0]
            return fit_sms(f"{clinic.name} clinic: {clinic.phone}, {clinic.email}.")
        return fit_sms(
            f"Call {directory.group_phone} or email {directory.group_email}. "
            + "; ".join(f"{c.name} {c.phone}" for c in clinics)
            + "."
        )
    if len(clinics) == 1:
        clinic = clinics[0]
        return f"{clinic.name} clinic: call {clinic.phone} or email {clinic.email}."
    lines = [f"Front desk: {directory.group_phone}, {directory.group_email}"]
    lines += [f"- {c.name}: {c.phone}, {c.email}" for c in clinics]
    return "\n".join(lines)
