"""Where a visitor is: Orange County places and ZIP codes from the shipped gazetteer.

The gazetteer (content/oc_gazetteer.csv, built by clinic.gazetteer_build) holds every Orange
County ZIP code and place name with a centroid. Places outside the county are recognised with
the `zipcodes` package, so the assistant can say "that's outside Orange County" instead of
guessing. Typos are matched with rapidfuzz against the gazetteer's names, and against their
consonant skeletons for the way people text ("hntngtn bch" is Huntington Beach).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

DEFAULT_GAZETTEER = Path(__file__).resolve().parent.parent / "content" / "oc_gazetteer.csv"
NEIGHBOURS = Path(__file__).resolve().parent.parent / "content" / "neighbouring_places.yml"
ZIP_PATTERN = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
WORD = re.compile(r"[a-z]+")
FUZZY_CUTOFF = 84  # rapidfuzz's ratio, 0-100
SKELETON_CUTOFF = 90
MIN_SKELETON = 4  # "hrs" or "sat" are never read as places
INNER_VOWELS = re.compile(r"(?<=[a-z])[aeiouy]+")
COUNTY = re.compile(r"\borange county\b|\bthe oc\b")
# Words that introduce a place ("I live in ...", "near ..."): only there is an unknown name
# taken to be a place outside the county, since many place names are ordinary words.
PLACE_AFTER = re.compile(r"\b(?:in|near|from|around|by|close to|closest to|nearest to|at)\s+([a-z][a-z .']{1,40})")


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    zip_code: str | None = None


@dataclass(frozen=True)
class PlaceLookup:
    """What the visitor's words point to: an OC place, somewhere outside OC, or nothing known."""

    place: Place | None = None
    outside: str | None = None  # a recognised place outside Orange County
    county: str | None = None  # the neighbouring county ``outside`` is in, when known
    unknown: str | None = None  # a place-like word we could not find


@dataclass(frozen=True)
class Gazetteer:
    places: dict[str, Place]  # lower-case name -> place
    zips: dict[str, Place]

    @property
    def names(self) -> list[str]:
        return list(self.places)


def load_gazetteer(path: Path = DEFAULT_GAZETTEER) -> Gazetteer:
    places: dict[str, Place] = {}
    zips: dict[str, Place] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lat, lon = float(row["latitude"]), float(row["longitude"])
            if row["kind"] == "zip":
                zips[row["name"]] = Place(f"ZIP {row['name']} ({row['city']})", lat, lon, row["name"])
            else:
                places[row["name"].lower()] = Place(row["name"], lat, lon)
    return Gazetteer(places, zips)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return load_gazetteer()


@lru_cache(maxsize=1)
def neighbouring_places(path: Path = NEIGHBOURS) -> dict[str, tuple[str, str]]:
    """Lower-case place name -> (its name, its county) for the counties around Orange County."""
    import yaml

    counties: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name.lower(): (name, county) for county, names in counties.items() for name in names}


def _neighbour(candidate: str) -> PlaceLookup | None:
    found = neighbouring_places().get(candidate)
    return PlaceLookup(outside=found[0], county=found[1]) if found else None


@lru_cache(maxsize=1)
def _us_place_names() -> frozenset[str]:
    import zipcodes

    return frozenset(entry["city"].lower() for entry in zipcodes.list_all())


def _zip_outside(code: str) -> str | None:
    import zipcodes

    try:
        matches = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    if not matches:
        return None
    entry = matches[0]
    return f"{code} ({entry['city'].title()}, {entry['state']})"


def skeleton(name: str) -> str:
    """A name without the vowels inside its words: "huntington beach" -> "hntngtn bch"."""
    return INNER_VOWELS.sub("", name.lower())


_SKELETONS: dict[int, dict[str, str]] = {}


def _skeletons(gazetteer: Gazetteer) -> dict[str, str]:
    key = id(gazetteer)
    if key not in _SKELETONS:
        _SKELETONS[key] = {skeleton(name): name for name in gazetteer.names}
    return _SKELETONS[key]


def closest_name(candidate: str, gazetteer: Gazetteer) -> str | None:
    """The gazetteer name ``candidate`` is a typo of ("irvin", "laguna hils", "hntngtn bch"), or None."""
    found = process.extractOne(candidate, gazetteer.names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if found:
        return found[0]
    shape = skeleton(candidate)
    if len(shape.replace(" ", "")) < MIN_SKELETON:
        return None
    skeletons = _skeletons(gazetteer)
    found = process.extractOne(shape, list(skeletons), scorer=fuzz.ratio, score_cutoff=SKELETON_CUTOFF)
    return skeletons[found[0]] if found else None


def _ngrams(words: list[str], longest: int = 4) -> Iterable[str]:
    for size in range(longest, 0, -1):
        for start in range(len(words) - size + 1):
            yield " ".join(words[start : start + size])


def find_place(text: str, entities: Iterable[str] = (), gazetteer: Gazetteer | None = None) -> PlaceLookup:
    """The place a message names: ZIP first, then extracted entities, then the text itself."""
    gazetteer = gazetteer or default_gazetteer()
    for code in ZIP_PATTERN.findall(text or ""):
        if code in gazetteer.zips:
            return PlaceLookup(place=gazetteer.zips[code])
        outside = _zip_outside(code)
        return PlaceLookup(outside=outside) if outside else PlaceLookup(unknown=code)
    for entity in entities:
        lookup = _lookup_name(entity.lower().strip(), gazetteer)
        if lookup:
            return lookup
    lowered = COUNTY.sub(" ", (text or "").lower())
    words = WORD.findall(lowered)
    for candidate in _ngrams(words):
        if candidate in gazetteer.places:
            return PlaceLookup(place=gazetteer.places[candidate])
        if neighbour := _neighbour(candidate):
            return neighbour
    for candidate in _ngrams(words):
        if len(candidate) < 5:
            continue
        close = closest_name(candidate, gazetteer)
        if close:
            return PlaceLookup(place=gazetteer.places[close])
    for phrase in PLACE_AFTER.findall(lowered):
        phrase_words = WORD.findall(phrase)
        for size in range(min(3, len(phrase_words)), 0, -1):
            candidate = " ".join(phrase_words[:size])
            if candidate in _us_place_names():
                return PlaceLookup(outside=candidate.title())
    return PlaceLookup()


def _lookup_name(name: str, gazetteer: Gazetteer) -> PlaceLookup | None:
    if not name:
        return None
    if name in gazetteer.places:
        return PlaceLookup(place=gazetteer.places[name])
    if neighbour := _neighbour(name):
        return neighbour
    close = closest_name(name, gazetteer) if len(name) >= 4 else None
    if close:
        return PlaceLookup(place=gazetteer.places[close])
    if name in _us_place_names():
        return PlaceLookup(outside=name.title())
    return PlaceLookup(unknown=name)
