"""Builds the project's spaCy pipeline from the sources in ``content/spacy``.

The pipeline is a blank English model with a lookup lemmatizer and an entity ruler for
medication names, Orange County places and clinic names. The lemma table is spaCy's English
one, the chat shorthand of ``content/spacy/shorthand.yml``, and for Spanish messages the
Spanish table of spacy-lookups-data with ``content/spacy/shorthand_es.yml``: only the forms
of the lemmas the Spanish training data uses (a few thousand of its 490,000 entries, so the
pipeline stays small), each also without accents, as people type; an English form keeps its
English lemma. ``SpacyNLP`` in config.yml loads
it by path, so nothing is downloaded at run time.
"""

from __future__ import annotations

import argparse
import csv
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SOURCE = Path("content/spacy/entities.yml")
DEFAULT_GAZETTEER = Path("content/oc_gazetteer.csv")
DEFAULT_SHORTHAND = Path("content/spacy/shorthand.yml")
DEFAULT_SHORTHAND_ES = Path("content/spacy/shorthand_es.yml")
DEFAULT_SPANISH_DATA = Path("data/nlu_es.yml")
DEFAULT_OUTPUT = Path("build/spacy/en_clinic")
WORD = re.compile(r"[^\W\d_]+")


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


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def training_words(path: Path) -> set[str]:
    """The lower-cased words of the NLU training examples in ``path``."""
    words: set[str] = set()
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
        words.update(WORD.findall(str(block.get("examples") or "").lower()))
    return words


def spanish_lemma_table() -> dict[str, str]:
    """spacy-lookups-data's Spanish form -> lemma table, as shipped (no download)."""
    import spacy_lookups_data
    import srsly

    return srsly.read_gzip_json(Path(spacy_lookups_data.__file__).parent / "data" / "es_lemma_lookup.json.gz")


def spanish_lemmas(table: dict[str, str], words: set[str]) -> dict[str, str]:
    """The entries of the Spanish ``table`` whose lemma is one of ``words``' lemmas, also unaccented.

    "duelen" stays in when "duele" is a training word: both are "doler".
    """
    folded: dict[str, str] = {}
    for form, lemma in table.items():
        folded.setdefault(strip_accents(form.lower()), lemma)
    wanted = {folded[w] for w in words if w in folded} | {table[w] for w in words if w in table}
    entries: dict[str, str] = {}
    for form, lemma in table.items():
        if lemma in wanted:
            entries[form] = lemma
            entries.setdefault(strip_accents(form), lemma)
    return entries


def build(
    source: Path = DEFAULT_SOURCE,
    output: Path = DEFAULT_OUTPUT,
    gazetteer: Path = DEFAULT_GAZETTEER,
    shorthand: Path = DEFAULT_SHORTHAND,
    shorthand_es: Path = DEFAULT_SHORTHAND_ES,
    spanish_data: Path = DEFAULT_SPANISH_DATA,
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
    spanish_table = spanish_lemma_table()
    for form, lemma in spanish_lemmas(spanish_table, training_words(spanish_data)).items():
        if form not in lemmas:
            lemmas[form] = lemma
    for form, word in shorthand_lemmas(yaml.safe_load(shorthand_es.read_text(encoding="utf-8")) or {}).items():
        if form not in lemmas:
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
