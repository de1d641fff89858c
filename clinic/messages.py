"""Texts sent by custom actions (content/messages.yml), with their SMS variants."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_MESSAGES = Path(__file__).resolve().parent.parent / "content" / "messages.yml"
SMS_CHANNELS = {"sms", "twilio"}


@lru_cache(maxsize=2)
def load_messages(path: Path = DEFAULT_MESSAGES) -> dict[str, dict[str, Any]]:
    """Every message by name; the file's ``provenance`` block (who wrote the texts) is not one."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: entry for name, entry in entries.items() if name != "provenance"}


def message(name: str, channel: str | None = None, language: str = "en", /, **values: Any) -> dict[str, Any]:
    """The message ``name`` for ``channel`` and ``language``, placeholders filled: kwargs for utter_message.

    A message without a text in ``language`` is sent in English.
    """
    entry = load_messages()[name]
    entry = entry.get(language) or entry
    text: str = entry["sms"] if channel in SMS_CHANNELS and entry.get("sms") else entry["text"]
    rendered: dict[str, Any] = {"text": text.format(**values)}
    if entry.get("buttons"):
        rendered["buttons"] = [dict(button) for button in entry["buttons"]]
    return rendered


def message_text(name: str, channel: str | None = None, language: str = "en", /, **values: Any) -> str:
    """The text alone of ``message``."""
    text: str = message(name, channel, language, **values)["text"]
    return text
