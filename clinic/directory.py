"""The clinic directory (content/clinics.yml): the one reader of that file, with validation."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from clinic.calendar_words import ENGLISH_WEEKDAYS

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "content" / "clinics.yml"
MAX_SUGGESTIONS = 4
HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
REQUIRED_CLINIC_FIELDS = (
    "id",
    "name",
    "address",
    "city",
    "zip",
    "latitude",
    "longitude",
    "phone",
    "email",
    "hours",
)


class DirectoryError(ValueError):
    """The directory file is missing something or holds an impossible value."""


@dataclass(frozen=True)
class Clinic:
    id: str
    name: str
    address: str
    city: str
    zip: str
    latitude: float
    longitude: float
    phone: str
    email: str
    hours: dict[int, tuple[time, time]]
    closed_dates: tuple[date, ...] = ()
    services: tuple[str, ...] = ()
    parking: str = ""
    transit: str = ""
    # The notes above in other languages: language -> {"parking": ..., "transit": ...}.
    notes: dict[str, dict[str, str]] = field(default_factory=dict)

    def note(self, kind: str, language: str = "en") -> str:
        """The parking or transit note in ``language``, in English when it has none."""
        return (self.notes.get(language) or {}).get(kind) or getattr(self, kind)


@dataclass(frozen=True)
class Brand:
    """How the clinic presents itself on every channel: the web chat and SMS read the same values."""

    name: str
    assistant_name: str
    phone: str
    sms: str
    email: str
    intro: str
    suggestions: tuple[str, ...] = ()
    # The words above in other languages: language -> {"assistant_name", "intro", "suggestions"}.
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def speaking(self, language: str) -> Brand:
        """This brand with its words in ``language`` (English where it has none)."""
        words = self.translations.get(language) or {}
        return replace(
            self,
            assistant_name=str(words.get("assistant_name") or self.assistant_name),
            intro=str(words.get("intro") or self.intro),
            suggestions=tuple(words.get("suggestions") or self.suggestions),
        )


@dataclass(frozen=True)
class Directory:
    timezone: ZoneInfo
    group_name: str
    group_phone: str
    group_email: str
    holiday_closures: tuple[str, ...]
    clinics: tuple[Clinic, ...] = field(default_factory=tuple)
    brand: Brand | None = None

    def by_id(self, clinic_id: str) -> Clinic | None:
        return next((c for c in self.clinics if c.id == clinic_id), None)


def _parse_hours(where: str, raw: Any) -> dict[int, tuple[time, time]]:
    if not isinstance(raw, dict):
        raise DirectoryError(f"{where}: 'hours' must map weekdays to 'HH:MM-HH:MM'")
    parsed: dict[int, tuple[time, time]] = {}
    for day, span in raw.items():
        if day not in ENGLISH_WEEKDAYS:
            raise DirectoryError(f"{where}: unknown weekday {day!r} in hours")
        match = HOURS.match(str(span))
        if not match:
            raise DirectoryError(f"{where}: hours for {day} must look like 08:00-17:00, not {span!r}")
        h1, m1, h2, m2 = map(int, match.groups())
        if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
            raise DirectoryError(f"{where}: hours for {day} ({span}) must open before they close")
        parsed[ENGLISH_WEEKDAYS.index(day)] = (time(h1, m1), time(h2, m2))
    return parsed


def _parse_clinic(index: int, raw: Any) -> Clinic:
    where = f"clinic #{index + 1}"
    if not isinstance(raw, dict):
        raise DirectoryError(f"{where}: must be a mapping of fields")
    where = f"clinic {raw.get('id', index + 1)!r}"
    missing = [name for name in REQUIRED_CLINIC_FIELDS if raw.get(name) in (None, "")]
    if missing:
        raise DirectoryError(f"{where}: missing field(s) {', '.join(missing)}")
    try:
        latitude, longitude = float(raw["latitude"]), float(raw["longitude"])
    except (TypeError, ValueError) as error:
        raise DirectoryError(f"{where}: latitude and longitude must be numbers") from error
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DirectoryError(f"{where}: coordinates {latitude}, {longitude} are not on Earth")
    try:
        closed = tuple(date.fromisoformat(str(d)) for d in raw.get("closed_dates") or [])
    except ValueError as error:
        raise DirectoryError(f"{where}: closed_dates must be YYYY-MM-DD dates") from error
    return Clinic(
        id=str(raw["id"]),
        name=str(raw["name"]),
        address=str(raw["address"]),
        city=str(raw["city"]),
        zip=str(raw["zip"]),
        latitude=latitude,
        longitude=longitude,
        phone=str(raw["phone"]),
        email=str(raw["email"]),
        hours=_parse_hours(where, raw["hours"]),
        closed_dates=closed,
        services=tuple(raw.get("services") or ()),
        parking=str(raw.get("parking") or ""),
        transit=str(raw.get("transit") or ""),
        notes={
            language: {kind: str(text) for kind, text in (raw.get(language) or {}).items()}
            for language in ("es",)
            if raw.get(language)
        },
    )


def _parse_brand(raw: Any) -> Brand:
    if not isinstance(raw, dict):
        raise DirectoryError("brand: must be a mapping of fields")
    missing = [name for name in ("name", "assistant_name", "phone", "email", "intro") if not raw.get(name)]
    if missing:
        raise DirectoryError(f"brand: missing field(s) {', '.join(missing)}")
    suggestions = raw.get("suggestions") or []
    if not isinstance(suggestions, list) or not all(isinstance(s, str) and s.strip() for s in suggestions):
        raise DirectoryError("brand: suggestions must be a list of questions")
    if len(suggestions) > MAX_SUGGESTIONS:
        raise DirectoryError(f"brand: at most {MAX_SUGGESTIONS} suggestions fit the greeting")
    return Brand(
        name=str(raw["name"]),
        assistant_name=str(raw["assistant_name"]),
        phone=str(raw["phone"]),
        # The number that takes texts; the same as the phone line unless the clinic says otherwise.
        sms=str(raw.get("sms") or raw["phone"]),
        email=str(raw["email"]),
        intro=str(raw["intro"]),
        suggestions=tuple(s.strip() for s in suggestions),
        translations={"es": dict(raw["es"])} if raw.get("es") else {},
    )


def parse_directory(data: Any) -> Directory:
    if not isinstance(data, dict) or not data.get("clinics"):
        raise DirectoryError("the directory needs a non-empty 'clinics' list")
    brand = _parse_brand(data["brand"]) if "brand" in data else None
    # The group's front desk is the brand's unless a directory names it apart (older files do).
    group = data.get("group") or ({"name": brand.name, "phone": brand.phone, "email": brand.email} if brand else {})
    for name in ("name", "phone", "email"):
        if not group.get(name):
            raise DirectoryError(f"group: missing field {name}")
    try:
        zone = ZoneInfo(str(data.get("timezone") or "America/Los_Angeles"))
    except Exception as error:  # zoneinfo raises several types for a bad key
        raise DirectoryError(f"unknown timezone {data.get('timezone')!r}") from error
    clinics = tuple(_parse_clinic(i, raw) for i, raw in enumerate(data["clinics"]))
    ids = [c.id for c in clinics]
    if len(set(ids)) != len(ids):
        raise DirectoryError("clinic ids must be unique")
    return Directory(
        timezone=zone,
        group_name=str(group["name"]),
        group_phone=str(group["phone"]),
        group_email=str(group["email"]),
        holiday_closures=tuple(data.get("holiday_closures") or ()),
        clinics=clinics,
        brand=brand,
    )


def load_directory(path: Path = DEFAULT_DIRECTORY) -> Directory:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DirectoryError(f"cannot read the clinic directory {path}: {error}") from error
    return parse_directory(data)


@lru_cache(maxsize=1)
def default_directory() -> Directory:
    """The directory named by CLINIC_DIRECTORY, or the shipped one; read once per process."""
    return load_directory(Path(os.environ.get("CLINIC_DIRECTORY", DEFAULT_DIRECTORY)))


def main() -> None:
    """Checks the directory (as the action server's start-up does) and says what is wrong."""
    path = Path(os.environ.get("CLINIC_DIRECTORY", DEFAULT_DIRECTORY))
    try:
        directory = load_directory(path)
    except DirectoryError as error:
        raise SystemExit(f"clinic directory {path}: {error}") from error
    print(f"clinic directory {path}: {len(directory.clinics)} clinics OK")


if __name__ == "__main__":
    main()
