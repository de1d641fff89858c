"""The queue's full-text search: names, contacts and what was said.

What was said (the triggering message and every transcript turn) is kept normalised in
``Escalation.search_text``: lower case, accents removed, one space between words, so
"Cymbalta" and "cymbaltá" meet. On PostgreSQL (production mode) the words are matched with
PostgreSQL's full-text search (``to_tsvector``/``websearch_to_tsquery`` with the language-neutral
``simple`` configuration: visitors write English and Spanish); on SQLite every word of the query
must appear in the normalised text. Names, e-mails, conversation ids and phone numbers match
by substring on both databases, so a first name or the end of a number is enough; the
8-character id the console shows finds its escalation.

Search terms are personal data: the console keeps them in the session, never in a URL or a log.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

MAX_QUERY = 200
_ID_PREFIX = re.compile(r"[0-9a-f]{8}")


def normalised(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip()


def searchable_text(triggering_message: str, transcript: Iterable[dict[str, Any]] | None) -> str:
    texts = [triggering_message or ""]
    texts += [str(turn.get("text") or "") for turn in transcript or [] if isinstance(turn, dict)]
    return normalised(" ".join(texts))


def _contacts(query: str) -> Q:
    digits = "".join(ch for ch in query if ch.isdigit())
    condition = (
        Q(first_name__icontains=query)
        | Q(contact_email__icontains=query)
        | Q(conversation_id__icontains=query)
        | Q(contact_phone__icontains=query)
    )
    if len(digits) >= 4:
        # "(949) 555-0101" finds +19495550101: phones are stored in E.164.
        condition |= Q(contact_phone__contains=digits)
    if _ID_PREFIX.fullmatch(query.lower()):
        # The 8-character id the console shows (before the UUID's first hyphen on every database).
        condition |= Q(id__startswith=query.lower())
    return condition


def search(rows: QuerySet, query: str) -> QuerySet:
    query = query.strip()[:MAX_QUERY]
    words = normalised(query).split()
    if not words:
        return rows
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        rows = rows.annotate(said=SearchVector("search_text", config="simple"))
        said = Q(said=SearchQuery(" ".join(words), config="simple", search_type="websearch"))
    else:
        said = Q()
        for word in words:
            said &= Q(search_text__contains=word)
    return rows.filter(said | _contacts(query))
