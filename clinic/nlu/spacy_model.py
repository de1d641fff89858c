"""Builds the project's spaCy pipeline from the sources in ``content/spacy``.

The pipeline is a blank English model with a lookup lemmatizer (spaCy's English table plus
the chat shorthand of ``content/spacy/shorthand.yml``) and an entity ruler for medication
names, Orange County places and clinic names. ``SpacyNLP`` in config.yml loads
it by path, so nothing is downloaded at run time.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SOURCE = Path("content/spacy/entities.yml")
DEFAULT_GAZETTEER = Path("content/oc_gazetteer.csv")
DEFAULT_SHORTHAND = Path("content/spacy/shorthand.yml")
DEFAULT_OUTPUT = Path("build/spacy/en_clinic")


def _token_pattern(phrase: str) -> list[dict[str, str]]:
    return [{"LOWER": token} for token in phrase.lower().split()]


def ruler_patterns(entities: dict[str, Any], places: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Turns the entity source file and the gazetteer's place names into entity-ruler patterns.

    Clinic phrases carry the canonical clinic name as the pattern id, so the
    longest-match rule of the ruler prefers "irvine clinic" (clinic) over "irvine" (city).
    """
    patterns: list[dict[str, Any]] = []
    for name in entities.get("medication", []):
        patterns.append({"label": "medication", "pattern": _token_pattern(name)})
    for name in places:
        patterns.append({"label": "city", "pattern": _token_pattern(name)})
    for canonical, phrases in entities.get("clinic", {}).items():
        for phrase in phrases:
            patterns.append({"label": "clinic", "pattern": _token_pattern(phrase), "id": canonical})
    return patterns


def place_names(gazetteer: Path) -> list[str]:
    with gazetteer.open(encoding="utf-8", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle) if row["kind"] == "place"]


def shorthand_lemmas(shorthand: dict[str, str]) -> dict[str, str]:
    """Lemma lookup entries for chat shorthand, in the casings people type ("u", "U"; "pt", "Pt", "PT").

    spaCy's lookup is case-sensitive, while the shorthand source lists each form once, lower-case.
    """
    entries: dict[str, str] = {}
    for short, word in shorthand.items():
        for form in (short.lower(), short.capitalize(), short.upper()):
            entries[form] = word
    return entries


def build(
    source: Path = DEFAULT_SOURCE,
    output: Path = DEFAULT_OUTPUT,
    gazetteer: Path = DEFAULT_GAZETTEER,
    shorthand: Path = DEFAULT_SHORTHAND,
) -> Path:
    """Builds the pipeline and writes it to ``output``; returns the output path."""
    import spacy

    entities = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    # Loads the lemma lookup table from spacy-lookups-data into the pipeline itself,
    # so the saved model needs no lookups package at run time. It also empties the
    # ruler, so the patterns go in afterwards.
    nlp.initialize()
    lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    for form, word in shorthand_lemmas(yaml.safe_load(shorthand.read_text(encoding="utf-8")) or {}).items():
        lemmas[form] = word
    ruler.add_patterns(ruler_patterns(entities, place_names(gazetteer)))
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--gazetteer", type=Path, default=DEFAULT_GAZETTEER)
    parser.add_argument("--shorthand", type=Path, default=DEFAULT_SHORTHAND)
    args = parser.parse_args(argv)
    print(build(args.source, args.output, args.gazetteer, args.shorthand))


if __name__ == "__main__":
    main()
