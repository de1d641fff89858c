"""Redaction of personal data in visitor messages shown for review and exported for training.

Phone numbers are found by ``phonenumbers``' matcher (US numbers and any number written with
its +country code, at the "possible" leniency, so made-up and not-yet-assigned numbers go too);
e-mail addresses by a pattern, confirmed by ``email-validator``'s syntax check; names are those
the conversation gave (the escalation's first name, the ``first_name`` slot), matched as whole
words in any case. Each becomes a placeholder that reads naturally in a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

PHONE, EMAIL, NAME = "<phone>", "<email>", "<name>"
DEFAULT_REGION = "US"
_EMAIL_CANDIDATE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"'.]+")


def _phones(text: str) -> str:
    matches = list(phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=phonenumbers.Leniency.POSSIBLE))
    for match in reversed(matches):
        text = text[: match.start] + PHONE + text[match.end :]
    return text


def _emails(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            validate_email(match.group(0), check_deliverability=False)
        except EmailNotValidError:
            return match.group(0)
        return EMAIL

    return _EMAIL_CANDIDATE.sub(replace, text)


def _names(text: str, names: Iterable[str]) -> str:
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME, text, flags=re.IGNORECASE)
    return text


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with e-mail addresses, phone numbers and the given names replaced."""
    # E-mails first: the digits of an address must not be read as a phone number.
    return _names(_phones(_emails(text)), names)
