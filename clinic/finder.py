"""Clinic finder answers: locations, the nearest clinic, hours and contact, for web and SMS.

Each answer has two renderings: the web one (several lines, a map link per clinic) and the
SMS one (plain text, at most one short map link, within SMS_LIMIT characters).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz, process

from clinic.calendar_words import (
    ENGLISH_WEEKDAYS,
    SPANISH_WEEKDAYS,
    WEEKDAY_ABBREVIATIONS,
    long_date,
    weekday_name,
)
from clinic.directory import Clinic, Directory
from clinic.hours import california_holidays, format_time, holiday_closure, is_open, local_now, opening_on
from clinic.language import fold
from clinic.messages import message_text
from clinic.places import Place, PlaceLookup
from clinic.sms_render import shorten

EARTH_RADIUS_MILES = 3958.8
SMS_LIMIT = 320
# Words around a clinic's name: "the Irvine office", "la clínica de Irvine".
CLINIC_WORDS = {"clinic", "office", "location", "the", "clinica", "oficina", "ubicacion", "la", "el", "de", "en"}
TOMORROW_WORDS = {"tomorrow", "tmrw", "tmr"}
WEEKDAY_ALIASES = {**WEEKDAY_ABBREVIATIONS, "weekend": 5}


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
    wanted = " ".join(w for w in fold(value).split() if w not in CLINIC_WORDS)
    names = {c.name.lower(): c for c in directory.clinics} | {c.id: c for c in directory.clinics}
    if wanted in names:
        return names[wanted]
    for clinic in directory.clinics:
        if wanted and (clinic.name.lower().startswith(wanted) or wanted.startswith(clinic.name.lower())):
            return clinic
    close = process.extractOne(wanted, list(names), scorer=fuzz.ratio, score_cutoff=80) if wanted else None
    return names[close[0]] if close else None


def clinic_in_city(directory: Directory, place: Place | None) -> Clinic | None:
    if place is None or place.zip_code:
        return None
    return next((c for c in directory.clinics if c.city.lower() == place.name.lower()), None)


def map_link(clinic: Clinic) -> str:
    return f"https://www.google.com/maps/search/?api=1&query={clinic.latitude},{clinic.longitude}"


def short_map_link(clinic: Clinic) -> str:
    return f"https://maps.google.com/?q={clinic.latitude},{clinic.longitude}"


def _within_sms_limit(text: str) -> str:
    return shorten(text, SMS_LIMIT)


def _say(key: str, sms: bool, language: str, /, **values: object) -> str:
    return message_text(key, "sms" if sms else None, language, **values)


def clinic_card(clinic: Clinic, language: str = "en") -> str:
    where = f"{clinic.address}, {clinic.city} {clinic.zip}"
    return _say("finder_card", False, language, name=clinic.name, where=where, phone=clinic.phone, map=map_link(clinic))


def render_all_locations(directory: Directory, sms: bool, lead: str = "", language: str = "en") -> str:
    names = ", ".join(c.name for c in directory.clinics)
    heading = _say(
        "finder_all", sms, language, lead=lead, count=len(directory.clinics), names=names, phone=directory.group_phone
    )
    if sms:
        return _within_sms_limit(heading)
    return "\n".join([heading] + [f"- {clinic_card(c, language)}" for c in directory.clinics])


def render_one_location(clinic: Clinic, sms: bool, lead: str = "", language: str = "en") -> str:
    if sms:
        where = f"{clinic.address}, {clinic.city}"
        return _within_sms_limit(
            _say(
                "finder_one_sms",
                True,
                language,
                lead=lead,
                name=clinic.name,
                where=where,
                phone=clinic.phone,
                map=short_map_link(clinic),
            )
        )
    extras = " ".join(part for part in (clinic.note("parking", language), clinic.note("transit", language)) if part)
    return f"{lead}{clinic_card(clinic, language)}" + (f"\n{extras}" if extras else "")


def clinic_answered(directory: Directory, lookup: PlaceLookup, named: Clinic | None) -> Clinic | None:
    """The one clinic ``render_location_answer`` shows, if it shows one: the conversation's clinic."""
    if named is not None:
        return named
    if lookup.place is None:
        return None
    return clinic_in_city(directory, lookup.place) or nearest_clinics(lookup.place, directory.clinics)[0][0]


def render_location_answer(
    directory: Directory, lookup: PlaceLookup, named: Clinic | None, sms: bool, language: str = "en"
) -> str:
    """The answer to "where are you" / "one in Irvine?" / "closest to 92630?"."""
    if named is not None:
        return render_one_location(named, sms, language=language)
    if lookup.place is not None:
        here = clinic_in_city(directory, lookup.place)
        if here is not None:
            lead = _say("finder_in_city", sms, language, city=here.city)
            return render_one_location(here, sms, lead=lead, language=language)
        clinic, miles = nearest_clinics(lookup.place, directory.clinics)[0]
        lead = _say("finder_nearest", sms, language, place=lookup.place.name, clinic=clinic.name, miles=f"{miles:.0f}")
        return render_one_location(clinic, sms, lead=lead, language=language)
    if lookup.outside and lookup.county:
        lead = _say("finder_outside_county", sms, language, place=lookup.outside, county=lookup.county)
        return render_all_locations(directory, sms, lead=lead, language=language)
    if lookup.outside:
        lead = _say("finder_outside", sms, language, place=lookup.outside)
        return render_all_locations(directory, sms, lead=lead, language=language)
    if lookup.unknown:
        lead = _say("finder_unknown", sms, language, place=lookup.unknown)
        return render_all_locations(directory, sms, lead=lead, language=language)
    return render_all_locations(directory, sms, language=language)


def requested_day(text: str, now: datetime, directory: Directory, language: str = "en") -> tuple[date, str]:
    """The day a visitor asks about ("saturday", "mañana", "thanksgiving"); today by default."""
    words = [w.strip("?.,!¿¡") for w in fold(text or "").split()]
    today = now.date()
    if any(w in TOMORROW_WORDS for w in words) or _says_manana(words):
        day = today + timedelta(days=1)
        return day, _say("hours_label_tomorrow", False, language, weekday=weekday_name(day, language))
    for word in words:
        singular = word[:-1] if word.endswith("days") or word.endswith("s") and word[:-1] in SPANISH_WEEKDAYS else word
        if singular in ENGLISH_WEEKDAYS:
            index: int | None = ENGLISH_WEEKDAYS.index(singular)
        elif singular in SPANISH_WEEKDAYS:
            index = SPANISH_WEEKDAYS.index(singular)
        else:
            index = WEEKDAY_ALIASES.get(word.rstrip("s"))
        if index is not None:
            ahead = (index - today.weekday()) % 7
            day = today + timedelta(days=ahead)
            return day, _say("hours_label_today", False, language) if ahead == 0 else long_date(day, language)
    if "fin de semana" in " ".join(words):
        ahead = (5 - today.weekday()) % 7
        day = today + timedelta(days=ahead)
        return day, _say("hours_label_today", False, language) if ahead == 0 else long_date(day, language)
    holiday = _named_holiday(text, today, directory, language)
    if holiday:
        return holiday
    return today, _say("hours_label_today", False, language)


def _says_manana(words: list[str]) -> bool:
    """ "mañana" is tomorrow, except in "en la mañana" / "por la mañana" (in the morning)."""
    return any(w == "manana" and (i == 0 or words[i - 1] != "la") for i, w in enumerate(words))


def _named_holiday(text: str, today: date, directory: Directory, language: str = "en") -> tuple[date, str] | None:
    lowered = fold(text or "")
    upcoming = {**california_holidays(today.year), **california_holidays(today.year + 1)}
    aliases = {
        "xmas": "christmas",
        "new years": "new year",
        "4th of july": "independence",
        "july 4": "independence",
        "navidad": "christmas",
        "ano nuevo": "new year",
        "accion de gracias": "thanksgiving",
        "4 de julio": "independence",
        "dia del trabajo": "labor",
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
                holiday = name.split(" Day")[0].split(" (")[0]
                return eve, _say("hours_label_eve", False, language, holiday=holiday, date=long_date(eve, language))
            continue
        if key and key in lowered.replace("'s", ""):
            return day, _say("hours_label_holiday", False, language, holiday=name, date=long_date(day, language))
    return None


def day_hours_line(directory: Directory, clinic: Clinic, day: date, language: str = "en") -> str:
    hours = opening_on(directory, clinic, day)
    if hours is None:
        closure = holiday_closure(directory, day)
        if closure:
            return _say("hours_closed_holiday", False, language, name=clinic.name, holiday=closure)
        return _say("hours_closed", False, language, name=clinic.name)
    opens, closes = format_time(hours[0], language), format_time(hours[1], language)
    return _say("hours_line", False, language, name=clinic.name, opens=opens, closes=closes)


def render_hours_answer(
    directory: Directory,
    clinics: Sequence[Clinic],
    text: str,
    sms: bool,
    now: datetime | None = None,
    language: str = "en",
) -> str:
    moment = local_now(directory, now)
    day, label = requested_day(text, moment, directory, language)
    lines: list[str] = []
    if day == moment.date():
        for clinic in clinics:
            state = _say("hours_open_now" if is_open(directory, clinic, moment) else "hours_closed_now", sms, language)
            lines.append(f"{day_hours_line(directory, clinic, day, language)} ({state})")
        weekday, clock = weekday_name(moment.date(), language), format_time(moment.time(), language)
        heading = _say("hours_today_heading", sms, language, weekday=weekday, time=clock)
    else:
        lines = [day_hours_line(directory, clinic, day, language) for clinic in clinics]
        heading = _say("hours_for", sms, language, label=label)
    if sms:
        listed = "; ".join(lines)
        return _within_sms_limit(f"{heading} {listed}" + ("" if listed.endswith(".") else "."))
    return "\n".join([heading] + [f"- {line}" for line in lines])


def render_contact_answer(directory: Directory, clinics: Sequence[Clinic], sms: bool, language: str = "en") -> str:
    if len(clinics) == 1:
        clinic = clinics[0]
        answer = _say("contact_one", sms, language, name=clinic.name, phone=clinic.phone, email=clinic.email)
        return _within_sms_limit(answer) if sms else answer
    if sms:
        listed = "; ".join(f"{c.name} {c.phone}" for c in clinics)
        return _within_sms_limit(
            _say(
                "contact_all_sms",
                True,
                language,
                phone=directory.group_phone,
                email=directory.group_email,
                clinics=listed,
            )
        )
    lines = [_say("contact_front_desk", False, language, phone=directory.group_phone, email=directory.group_email)]
    lines += [f"- {c.name}: {c.phone}, {c.email}" for c in clinics]
    return "\n".join(lines)
