"""Insurance plans: "do you take Medicare?", "Medi-Cal?", "Kaiser?", "¿aceptan Medi-Cal?".

The plans come from the clinic directory (content/clinics.yml ``insurance``: SAMPLE DATA the
clinic replaces). A plan on the accepted list is answered "listed, confirm with the clinic"; a
plan on the other list gets "we don't have that plan listed; call to check".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from clinic.directory import DEFAULT_DIRECTORY
from clinic.language import fold

# A short message naming a plan is a question about it ("Kaiser?"); a longer one needs a word
# about coverage ("does my Medicare cover ketamine", "aceptan Medi-Cal").
SHORT = 6
COVERAGE = re.compile(
    r"\b(?:take|takes|taking|accept|accepts|accepted|cover|covers|covered|coverage|in.network|insurance|plan|"
    r"bill|billing|work with|aceptan|acepta|toman|reciben|cubre|cubren|seguro|plan|trabajan con)\b"
)


# "do you take Sharp Health Plan?": a plan on neither list, named as one.
UNKNOWN_PLAN = re.compile(
    r"\b(?:do you|does the clinic|do your clinics|do u|you guys|y'?all|aceptan|toman|reciben)\s+"
    r"(?:take|accept|work with|take the|accept the)?\s*"
    r"([a-z][\w&' -]{1,40}?\s(?:health plan|health|insurance|plan|hmo|ppo|medicare advantage))\b"
)

NOT_A_PLAN_NAME = frozenset("my your any health insurance a the take accept work all most other private".split())


@dataclass(frozen=True)
class Plan:
    name: str
    accepted: bool


@lru_cache(maxsize=4)
def plans(path: Path = DEFAULT_DIRECTORY) -> tuple[tuple[re.Pattern[str], Plan], ...]:
    """Each way of naming a plan (a pattern) with the plan, longest names first."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")).get("insurance") or {}
    named: list[tuple[str, Plan]] = []
    for kind, accepted in (("accepted", True), ("not_listed", False)):
        for name, aliases in (data.get(kind) or {}).items():
            for alias in {name, *(aliases or [])}:
                named.append((fold(str(alias)), Plan(str(name), accepted)))
    named.sort(key=lambda pair: len(pair[0]), reverse=True)
    return tuple((re.compile(r"(?<![\w-])" + re.escape(alias) + r"(?![\w-])"), plan) for alias, plan in named)


def plan_named(text: str, path: Path = DEFAULT_DIRECTORY) -> Plan | None:
    """The plan ``text`` names, or None."""
    folded = fold(text or "")
    return next((plan for pattern, plan in plans(path) if pattern.search(folded)), None)


def asks_about_a_plan(text: str, path: Path = DEFAULT_DIRECTORY) -> Plan | None:
    """The plan a message asks about ("do you take Medicare?", "Kaiser?"), or None."""
    plan = plan_named(text, path)
    if plan is None:
        unknown = UNKNOWN_PLAN.search(fold(text or ""))
        if unknown and unknown.group(1).split()[0] not in NOT_A_PLAN_NAME:
            return Plan(unknown.group(1).strip().title(), accepted=False)
        return None
    folded = fold(text)
    words = re.findall(r"[\w-]+", folded)
    if COVERAGE.search(folded):
        return plan
    if len(words) <= SHORT:
        return plan
    return None
