"""The references behind each FAQ answer (content/sources.yml), for the channels that can link them.

domain.yml ends each FAQ answer with a short plain-text citation line ("Sources: NIAMS; …"),
which SMS and REST clients show as it is. The web chat shows the same references as links
instead, so it takes that line off the answer and sends the structured list beside it.

The references follow the conversation's language (the ``language`` slot): an English reader sees
the English references; a Spanish reader the Spanish-language ones first (``language: es``), then
the English ones that have no Spanish version (no Spanish reference is ``version_of`` them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SOURCES_FILE = Path(__file__).resolve().parent.parent / "content" / "sources.yml"
# The last paragraph of an answer when it is the plain-text citation line (English or Spanish).
CITATION_LINE = re.compile(r"\n\s*\n\s*(?:Sources|Fuentes):[^\n]*\s*$")
ENGLISH = "en"
SPANISH = "es"


@dataclass(frozen=True)
class Reference:
    shown: dict[str, Any]  # what the widget receives
    language: str
    version_of: str | None  # the url of the English reference this one translates


@lru_cache(maxsize=1)
def _all_sources() -> dict[str, list[Reference]]:
    data = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8")) or {}
    return {
        response: [
            Reference(
                {
                    "title": str(ref["title"]),
                    "publisher": str(ref.get("publisher") or ""),
                    "year": ref.get("year"),
                    # Only web addresses become links; a reference without a verified one stays text.
                    "url": str(ref["url"]) if str(ref.get("url") or "").startswith("https://") else None,
                },
                str(ref.get("language") or ENGLISH),
                str(ref["version_of"]) if ref.get("version_of") else None,
            )
            for ref in references or []
        ]
        for response, references in data.items()
    }


def sources_for(response: str | None, language: str | None = ENGLISH) -> list[dict[str, Any]]:
    """The references of the answer named ``response`` (an utter_ name) for a reader of ``language``.

    English (also for an unknown language or none): the English references. Spanish: the
    Spanish-language references, then the English ones without a Spanish version. [] for an
    answer without references.
    """
    references = _all_sources().get(response or "", [])
    english = [ref for ref in references if ref.language == ENGLISH]
    if language != SPANISH:
        return [dict(ref.shown) for ref in english]
    spanish = [ref for ref in references if ref.language == SPANISH]
    translated = {ref.version_of for ref in spanish}
    untranslated = [ref for ref in english if ref.shown["url"] is None or ref.shown["url"] not in translated]
    return [dict(ref.shown) for ref in spanish + untranslated]


def without_citation(text: str) -> str:
    """``text`` without its closing "Sources: …" paragraph (the references are sent as links)."""
    return CITATION_LINE.sub("", text)
