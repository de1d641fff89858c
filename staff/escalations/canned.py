"""Canned replies: placeholders and how they are filled from an escalation.

A canned reply's text may name {visitor_name}, {clinic} and {phone}. They are filled from the
escalation: the visitor's first name, the clinic the conversation was about (else the clinic
group), and that clinic's phone number (else the group's). Any other brace is refused when an
admin saves the reply, so a typo cannot reach a visitor as "{visiter_name}".
"""

from __future__ import annotations

import re
import string

from django.core.exceptions import ValidationError

from clinic.directory import Directory

PLACEHOLDERS = ("visitor_name", "clinic", "phone")


def check_placeholders(text: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise ValidationError(f"Unbalanced braces in the text ({error}).") from error
    unknown = names - set(PLACEHOLDERS)
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise ValidationError(f"Unknown placeholder {', '.join(sorted(unknown))}: use only {allowed}.")


def fill(text: str, *, visitor_name: str, clinic_id: str, directory: Directory) -> str:
    clinic = directory.by_id(clinic_id) if clinic_id else None
    values = {
        "visitor_name": visitor_name.strip(),
        "clinic": clinic.name if clinic else directory.group_name,
        "phone": clinic.phone if clinic else directory.group_phone,
    }
    filled = text.format_map(values)
    # Without a name, "Hi {visitor_name}, ..." reads "Hi, ...", not "Hi , ...".
    return re.sub(r"[ \t]+([,.!?])", r"\1", filled) if not values["visitor_name"] else filled
