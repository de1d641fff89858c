"""The labelled safety corpus (content/safety/): reading its sources and splitting it.

The sources are hand-written groups (``source/*.txt``) and a minority of combinatorial
templates (``source/templates.yml``); content/safety/README.md says how they were written.
The split is by group, never by row: a group is either in training or held out, so the
held-out part is not a near copy of the training part. The held-out groups are those of the
``source/heldout_*.txt`` files, written blind after the first held-out part had been read while
the lexicon was tuned (that part is now training data); every other group trains.

``python -m clinic.safety.corpus`` rewrites content/safety/train.tsv and heldout.tsv.
"""

from __future__ import annotations

import argparse
import csv
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SAFETY_DIR = Path(__file__).resolve().parents[2] / "content" / "safety"
SOURCE_DIR = SAFETY_DIR / "source"
TRAIN_FILE = SAFETY_DIR / "train.tsv"
HELDOUT_FILE = SAFETY_DIR / "heldout.tsv"
# Outcomes: the kind of crisis (each gets its own reply), an ambiguous message, or none.
CRISIS_KINDS = ("suicide_self_harm", "overdose_poisoning", "medical_emergency", "other_in_danger")
POSSIBLE = "possible_crisis"
NONE = "none"
OUTCOMES = (*CRISIS_KINDS, POSSIBLE, NONE)
LANGUAGES = ("en", "es")
STYLES = ("web", "sms")
# Source files whose groups are all held out; every other source trains.
HELD_OUT_PREFIX = "heldout_"
COLUMNS = ("group", "language", "style", "category", "outcome", "text")


@dataclass(frozen=True)
class Example:
    group: str
    language: str
    style: str
    category: str
    outcome: str
    text: str

    @property
    def flagged(self) -> bool:
        """Whether the assistant must react: a crisis or a possible one."""
        return self.outcome != NONE


@dataclass(frozen=True)
class Group:
    id: str
    language: str
    style: str
    category: str
    outcome: str
    messages: tuple[str, ...]
    source: str


def _checked(group: Group) -> Group:
    if group.language not in LANGUAGES or group.style not in STYLES or group.outcome not in OUTCOMES:
        raise ValueError(f"{group.id}: bad header {group.language} {group.style} {group.outcome}")
    if not group.messages:
        raise ValueError(f"{group.id}: no messages")
    return group


def read_text_source(path: Path) -> list[Group]:
    """Groups of a ``.txt`` source: "## language style category outcome", then one message a line."""
    groups: list[Group] = []
    header: list[str] | None = None
    messages: list[str] = []

    def close() -> None:
        if header is not None:
            language, style, category, outcome = header
            groups.append(
                _checked(
                    Group(
                        f"{path.stem}-{len(groups) + 1}", language, style, category, outcome, tuple(messages), path.stem
                    )
                )
            )

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("## "):
            close()
            header, messages = line[3:].split(), []
            if len(header) != 4:
                raise ValueError(f"{path.name}: bad group header {line!r}")
        elif line and not line.startswith("#"):
            if header is None:
                raise ValueError(f"{path.name}: message before any group header: {line!r}")
            messages.append(line)
    close()
    return groups


def expand_template(template: dict[str, Any]) -> Group:
    names = list(template["slots"])
    messages = tuple(
        template["pattern"].format(**dict(zip(names, values, strict=True)))
        for values in itertools.product(*(template["slots"][name] for name in names))
    )
    return _checked(
        Group(
            f"templates-{template['id']}",
            template["language"],
            template["style"],
            template["category"],
            template["outcome"],
            messages,
            "templates",
        )
    )


def read_groups(source_dir: Path = SOURCE_DIR) -> list[Group]:
    groups = [group for path in sorted(source_dir.glob("*.txt")) for group in read_text_source(path)]
    templates = yaml.safe_load((source_dir / "templates.yml").read_text(encoding="utf-8"))["templates"]
    return groups + [expand_template(template) for template in templates]


def split(groups: Iterable[Group]) -> tuple[list[Example], list[Example]]:
    """Training and held-out examples: the groups of the heldout_*.txt sources are held out."""
    train: list[Example] = []
    heldout: list[Example] = []
    for group in groups:
        target = heldout if group.source.startswith(HELD_OUT_PREFIX) else train
        target.extend(
            Example(group.id, group.language, group.style, group.category, group.outcome, text)
            for text in group.messages
        )
    return train, heldout


def write_examples(path: Path, examples: list[Example]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        writer.writerows([getattr(example, column) for column in COLUMNS] for example in examples)


def read_examples(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Example(**row) for row in csv.DictReader(handle, delimiter="\t")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE_DIR)
    parser.add_argument("--train", type=Path, default=TRAIN_FILE)
    parser.add_argument("--heldout", type=Path, default=HELDOUT_FILE)
    args = parser.parse_args(argv)
    train, heldout = split(read_groups(args.source))
    write_examples(args.train, train)
    write_examples(args.heldout, heldout)
    for name, examples in (("train", train), ("held out", heldout)):
        flagged = sum(example.flagged for example in examples)
        print(f"{name}: {len(examples)} messages, {flagged} crisis or possible crisis, {len(examples) - flagged} none")


if __name__ == "__main__":
    main()
