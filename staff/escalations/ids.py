"""Escalation ids as staff type them: the whole UUID, or the 8-character prefix the console shows."""

from __future__ import annotations

import re
from uuid import UUID

from staff.escalations.models import Escalation

PREFIX_LENGTH = 8
_HEX_PREFIX = re.compile(rf"[0-9a-f]{{{PREFIX_LENGTH},32}}")


class IdError(ValueError):
    """The id is malformed, unknown or ambiguous; the message says which, for the staff member."""


def find_escalation_id(ref: str) -> UUID:
    """The full id ``ref`` names (a UUID, or at least its first 8 hex characters)."""
    ref = ref.strip().lower()
    try:
        full = UUID(ref)
    except ValueError:
        full = None
    if full is not None:
        if not Escalation.objects.filter(pk=full).exists():
            raise IdError(f"No escalation has the id {full}.")
        return full
    if not _HEX_PREFIX.fullmatch(ref):
        raise IdError(
            f"“{ref[:40]}” is not an escalation id: give the {PREFIX_LENGTH}-character id shown in the "
            "queue (0-9 and a-f) or the whole id."
        )
    # The first 8 hex characters come before the UUID's first hyphen, on every database.
    matches = list(Escalation.objects.filter(id__startswith=ref[:PREFIX_LENGTH]).values_list("pk", flat=True)[:50])
    matches = [pk for pk in matches if pk.hex.startswith(ref)]
    if not matches:
        raise IdError(f"No escalation has an id starting with {ref}.")
    if len(matches) > 1:
        raise IdError(f"{len(matches)} escalations have an id starting with {ref}: type more of the id to choose one.")
    return matches[0]
