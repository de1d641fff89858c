"""The held-out conversation set: loading, validating, and proving it was never trained on.

The set (tests/heldout/conversations.yml) is written by hand in the voices of patients. It is
only worth anything while the assistant has never seen it, so `leaked_messages` finds every
visitor message that appears word for word (case-insensitive, entity annotations removed) in a
training file: the NLU data, stories and rules in data/, the crisis lexicon and anything under
content/safety/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.heldout.checks import CHECKS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONVERSATIONS = HERE / "conversations.yml"

LANGUAGES = ("en", "es", "spanglish")
STYLES = ("web", "sms")
CATEGORIES = (
    "fibromyalgia",
    "treatments",
    "ketamine",
    "cost",
    "clinics",
    "person",
    "medical_advice",
    "crisis",
    "pain_idiom",
    "off_topic",
    "noise",
    "small_talk",
)
# Check arguments that name actions or responses, validated against the domain.
NAME_CHECKS = ("response_any_of", "response_all_of", "not_response")
# Actions Rasa defines itself, which a domain does not list.
RASA_ACTIONS = frozenset({"action_deactivate_loop", "action_default_fallback", "action_two_stage_fallback"})
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class TurnCase:
    say: str
    expect: dict[str, Any]


@dataclass(frozen=True)
class Conversation:
    id: str
    language: str
    style: str
    category: str
    voice: tuple[str, ...]
    turns: tuple[TurnCase, ...] = field(default_factory=tuple)


def load(path: Path = CONVERSATIONS) -> list[Conversation]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Conversation(
            id=item["id"],
            language=item["language"],
            style=item["style"],
            category=item["category"],
            voice=tuple(item.get("voice") or ()),
            turns=tuple(TurnCase(say=str(turn["say"]), expect=dict(turn["expect"])) for turn in item["turns"]),
        )
        for item in raw["conversations"]
    ]


def domain_names(domain_path: Path = ROOT / "domain.yml") -> set[str]:
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    return set(domain.get("responses") or {}) | set(domain.get("actions") or []) | set(domain.get("forms") or {})


def problems(conversations: list[Conversation], known_names: set[str]) -> list[str]:
    """Everything wrong with the set's shape; empty when it can be played."""
    found: list[str] = []
    seen: set[str] = set()
    for conv in conversations:
        where = f"conversation {conv.id}"
        if conv.id in seen:
            found.append(f"{where}: duplicate id")
        seen.add(conv.id)
        if conv.language not in LANGUAGES:
            found.append(f"{where}: language {conv.language!r} not in {LANGUAGES}")
        if conv.style not in STYLES:
            found.append(f"{where}: style {conv.style!r} not in {STYLES}")
        if conv.category not in CATEGORIES:
            found.append(f"{where}: category {conv.category!r} not in {CATEGORIES}")
        if not 1 <= len(conv.turns) <= 5:
            found.append(f"{where}: {len(conv.turns)} turns, expected 1 to 5")
        for number, turn in enumerate(conv.turns, 1):
            if not turn.say.strip():
                found.append(f"{where} turn {number}: empty message")
            if not turn.expect:
                found.append(f"{where} turn {number}: no expectation")
            for check, argument in turn.expect.items():
                if check not in CHECKS:
                    found.append(f"{where} turn {number}: unknown check {check!r}")
                elif check in NAME_CHECKS:
                    unknown = sorted(set(argument) - known_names - RASA_ACTIONS)
                    if unknown:
                        found.append(f"{where} turn {number}: not in the domain: {unknown}")
    return found


def training_files(root: Path = ROOT) -> list[Path]:
    """Every file the assistant learns or matches from: the training data (also per-language
    files in subfolders), the crisis lexicon and the safety corpus, whichever exist."""
    safety_dir = root / "content" / "safety"
    safety = [p for p in sorted(safety_dir.rglob("*")) if p.is_file()] if safety_dir.is_dir() else []
    lexicon = [p for p in [root / "content" / "safety_lexicon.yml"] if p.is_file()]
    return [*sorted((root / "data").rglob("*.yml")), *lexicon, *safety]


def normalised(text: str) -> str:
    return SPACES.sub(" ", ANNOTATION.sub(r"\1", text)).lower()


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def leaked_messages(conversations: list[Conversation], files: list[Path]) -> dict[str, list[str]]:
    """Visitor messages found word for word in a training file, with the files they are in."""
    corpus = {path: normalised(path.read_text(encoding="utf-8", errors="replace")) for path in files}
    leaks: dict[str, list[str]] = {}
    for conv in conversations:
        for turn in conv.turns:
            message = SPACES.sub(" ", turn.say.strip()).lower()
            pattern = re.compile(rf"(?<!\w){re.escape(message)}(?!\w)")
            where = [_shown(path) for path, text in corpus.items() if pattern.search(text)]
            if where:
                leaks[turn.say] = where
    return leaks
