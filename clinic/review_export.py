"""Reviewed messages as Rasa training data and test stories (``make review-export``).

Input: messages a person labelled with an intent in the console's review page (already
redacted). Output: ``data/nlu_reviewed.yml`` (NLU examples, read by training like every file in
data/) and ``tests/reviewed_stories.yml`` (one test story per conversation: its labelled
messages in order, each with the intent the person gave). Both are written whole each time
(atomically), so an empty review yields files that are still valid. A message already in the
other training files, or labelled with two different intents, is left out and reported: Rasa's
validation refuses the same example under two intents.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

HEADER = "# Written by `make review-export` from the staff console's review labels; do not edit by hand.\n"
REVIEWED_NLU = "nlu_reviewed.yml"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str
    conversation_id: str
    at: float


@dataclass(frozen=True)
class ExportResult:
    examples: int
    stories: int
    skipped: list[str]


def _plain(example: str) -> str:
    """An example without entity annotations, compared case-insensitively."""
    return " ".join(_ANNOTATION.sub(r"\1", example).split()).casefold()


def existing_examples(data_dir: Path) -> dict[str, str]:
    """Every NLU example in data/ (except the reviewed file) and its intent."""
    found: dict[str, str] = {}
    for path in sorted(data_dir.rglob("*.yml")):
        if path.name == REVIEWED_NLU:
            continue
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found[_plain(line[2:])] = block["intent"]
    return found


def _one_line(text: str) -> str:
    # Square brackets would read as entity annotations; a training example is one line.
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + pad + text + "\n"


def export(labelled: Sequence[Labelled], data_dir: Path, stories_path: Path) -> ExportResult:
    existing = existing_examples(data_dir)
    intents_of: dict[str, set[str]] = {}
    for item in labelled:
        intents_of.setdefault(_plain(_one_line(item.text)), set()).add(item.intent)
    skipped: list[str] = []
    kept: list[Labelled] = []
    for item in sorted(labelled, key=lambda i: (i.conversation_id, i.at)):
        text = _one_line(item.text)
        key = _plain(text)
        if not key:
            continue
        if len(intents_of[key]) > 1:
            skipped.append(f"labelled with several intents ({', '.join(sorted(intents_of[key]))}): {text}")
        elif existing.get(key, item.intent) != item.intent:
            skipped.append(f"already an example of {existing[key]}: {text}")
        else:
            kept.append(Labelled(text, item.intent, item.conversation_id, item.at))
    by_intent: dict[str, list[str]] = {}
    for item in kept:
        key = _plain(item.text)
        if key in existing or key in {_plain(t) for t in by_intent.get(item.intent, [])}:
            continue  # the same example once is enough
        by_intent.setdefault(item.intent, []).append(item.text)
    _atomic_write(data_dir / REVIEWED_NLU, nlu_yaml(by_intent))
    conversations: dict[str, list[Labelled]] = {}
    for item in kept:
        conversations.setdefault(item.conversation_id, []).append(item)
    _atomic_write(stories_path, stories_yaml(conversations))
    return ExportResult(sum(len(v) for v in by_intent.values()), len(conversations), sorted(set(skipped)))


def nlu_yaml(by_intent: dict[str, list[str]]) -> str:
    if not by_intent:
        return HEADER + 'version: "3.1"\nnlu: []\n'
    lines = [HEADER + 'version: "3.1"\n\nnlu:\n']
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}\n  examples: |\n")
        lines += [f"    - {text}\n" for text in sorted(by_intent[intent], key=str.casefold)]
    return "".join(lines)


def stories_yaml(conversations: dict[str, Iterable[Labelled]]) -> str:
    if not conversations:
        return HEADER + 'version: "3.1"\nstories: []\n'
    lines = [HEADER + 'version: "3.1"\n\nstories:\n']
    for conversation_id in sorted(conversations):
        # The conversation is named by a hash: its id can be a phone number's.
        name = hashlib.sha256(conversation_id.encode()).hexdigest()[:12]
        lines.append(f"  - story: reviewed conversation {name}\n    steps:\n")
        for item in conversations[conversation_id]:
            lines.append(f"      - user: {_block(item.text, 10)}        intent: {item.intent}\n")
    return "".join(lines)
