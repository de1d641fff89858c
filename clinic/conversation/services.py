"""Which clinic offers X: the directory's service lists, matched to the visitor's words.

A service matches when the message holds one of its words or the words people use for it
("pt" for physical therapy, "counseling" for CBT and pain psychology). Service names come from
content/clinics.yml; the everyday words for them are in content/dialogue.yml (service_words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinic.conversation.context import day_mentioned, has_phrase, load_service_words, normalise
from clinic.directory import Clinic, Directory

# Words that make a service question about our clinics ("which clinic", "any of your offices").
ABOUT_CLINICS = re.compile(
    r"\b(?:clinics?|offices?|locations?|which of (?:you|your)|any of (?:you|your|ur)|"
    r"do (?:you|u) (?:offer|do|have|provide)|can i get|where can i|cl[ií]nicas?|ofrecen)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ServiceMatch:
    service: str  # the everyday name of what was asked for ("physical therapy")
    clinics: tuple[tuple[Clinic, str], ...]  # each clinic offering it, with its own service entry


def names_a_service(text: str) -> str | None:
    """The service a message asks our clinics about ("which clinic has PT?"), if it does."""
    if not ABOUT_CLINICS.search(text or "") or day_mentioned(text):
        return None  # "do you do infusions on saturday" asks for hours
    normalised = normalise(text)
    return next((s for s, words in load_service_words().items() if has_phrase(normalised, [s, *words])), None)


def services_asked(text: str, directory: Directory) -> list[ServiceMatch]:
    """Each service the message names, with the clinics whose service list has it."""
    normalised = normalise(text)
    found = []
    for service, words in load_service_words().items():
        if not has_phrase(normalised, [service, *words]):
            continue
        offering = tuple(
            (clinic, entry)
            for clinic in directory.clinics
            for entry in clinic.services
            if has_phrase(normalise(entry), [service, *words])
        )
        found.append(ServiceMatch(service, offering))
    return found
