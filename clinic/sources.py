"""The references behind each FAQ answer (content/sources.yml), for the channels that can link them.

domain.yml ends each FAQ answer with a short plain-text citation line ("Sources: NIAMS; …"),
which SMS and REST clients show as it is. The web chat shows the same references as links
instead, so it takes that line off the answer and sends the structured list beside it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SOURCES_FILE = Path(__file__).resolve().parent.parent / "content" / "sources.yml"
# The last paragraph of an answer when it is the plain-text citation line.
CITATION_LINE = re.compile(r"\n\s*\n\s*Sources:[^\n]*\s*$")


@lru_cache(maxsize=1)
def _all_sources() -> dict[str, list[dict[str, Any]]]:
    data = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8")) or {}
    return {
        response: [
            {
                "title": str(ref["title"]),
                "publisher": str(ref.get("publisher") or ""),
                "year": ref.get("year"),
                # Only web addresses become links; a reference without a verified one stays text.
                "url": str(ref["url"]) if str(ref.get("url") or "").startswith("https://") else None,
            }
            for ref in references or []
        ]
        for response, references in data.items()
    }


def sources_for(response: str | None) -> list[dict[str, Any]]:
    """The references of the answer named ``response`` (an utter_ name), or [] when it has none."""
    return list(_all_sources().get(response or "", []))


def without_citation(text: str) -> str:
    """``text`` without its closing "Sources: …" paragraph (the references are sent as links)."""
    return CITATION_LINE.sub("", text)
