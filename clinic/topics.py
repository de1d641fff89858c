"""Plain-language names of the assistant's intents, for prompts shown to visitors."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from clinic.messages import message

DEFAULT_TOPICS = Path(__file__).resolve().parent.parent / "content" / "topics.yml"


@lru_cache(maxsize=4)
def topic_labels(language: str = "en", path: Path = DEFAULT_TOPICS) -> dict[str, str]:
    """Intent -> its plain-language name in ``language`` (content/topics.yml)."""
    labels = yaml.safe_load(path.read_text(encoding="utf-8"))["labels"]
    return {intent: names[language] for intent, names in labels.items()}


# Intents never offered back as a "did you mean" guess: answering yes to them would not help.
NOT_CONFIRMABLE = {"affirm", "deny", "out_of_scope", "nlu_fallback", "crisis"}


def topic_label(intent: str, language: str = "en") -> str | None:
    """The visitor-facing label of an intent, or None when it has none."""
    return topic_labels(language).get(intent)


def best_guess(intent_ranking: list[dict[str, Any]]) -> str | None:
    """The highest-ranked intent that can be offered back to the visitor for confirmation."""
    for candidate in intent_ranking:
        name: str | None = candidate.get("name")
        if name not in NOT_CONFIRMABLE and name in topic_labels():
            return name
    return None


FAQ_INTENTS = frozenset(
    {
        "fibro_definition",
        "fibro_symptoms",
        "treatment_overview",
        "treatment_medications",
        "treatment_physical_therapy",
        "treatment_cbt",
        "treatment_lifestyle",
        "ketamine_overview",
        "ketamine_mechanism",
        "ketamine_onset",
        "ketamine_duration",
        "ketamine_regimen",
        "ketamine_side_effects",
        "ketamine_vs_traditional",
        "ketamine_evidence",
        "ketamine_candidacy",
        "ketamine_session_experience",
        "cost_insurance",
    }
)
RELATED_FAQ_MIN_CONFIDENCE = 0.08


def related_faq(intent_ranking: list[dict[str, Any]]) -> str | None:
    """The general FAQ topic closest to a personal question, when the classifier sees one."""
    for candidate in intent_ranking:
        name = candidate.get("name")
        if name in FAQ_INTENTS:
            return name if candidate.get("confidence", 0.0) >= RELATED_FAQ_MIN_CONFIDENCE else None
    return None


def confirmation_prompt(intent: str, channel: str | None = None, language: str = "en") -> dict[str, Any]:
    """The first fallback stage: the best guess in plain words, with buttons to answer."""
    prompt = message("confirm_topic", channel, language, topic=topic_labels(language)[intent])
    for button in prompt["buttons"]:
        button["payload"] = button["payload"].format(intent=intent)
    return prompt
