"""Reading what a visitor types into the contact form: phone, e-mail, refusals, cancels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from clinic.language import fold

DECLINED = "declined"
# English and Spanish, matched without accents (fold): "olvídelo" reads as "olvidelo"; and as
# people type it: "actually stop, never mind", "nvm ill call later".
CANCEL_WORDS = re.compile(
    r"^\s*(?:(?:actually|oh|ok|okay|wait|um|hmm|no|sorry|oye|bueno|mejor)[\s,.!]+)*"
    r"(?:stop|cancel|quit|exit|end|abort|never ?mind|nvm|forget it|forget about it|i changed my mind|changed my mind|"
    r"olvidalo|olvidelo|olvida|olvidelo mejor|ya no|cancela|cancelar|salir|dejalo|dejelo|no importa)"
    r"(?:[\s,.!]+(?:never ?mind|nvm|it|this|that|please|pls|thanks|thank you|por favor|porfa|mejor|gracias))*[\s,.!]*"
    r"(?:(?:i'?ll|ill|i will|i'?m going to|gonna)\s+call(?:\s+(?:you|u|them))?"
    r"(?:\s+(?:later|instead|tomorrow|myself|back))?)?[\s.!]*$",
    re.IGNORECASE,
)
DECLINE_WORDS = re.compile(
    r"^\s*(skip|pass|no|nope|nah|no thanks|no thank you|"
    r"i'?d rather not(?: (?:give|say|share)(?: my \w+| it)?)?|rather not|"
    r"prefer not( to)?( say)?|i prefer not to( say)?|not telling|none|n/a|don'?t want to( say)?|"
    r"omitir|omite|omitalo|paso|no gracias|nel|prefiero no( decir(lo)?)?|no quiero( decir(lo)?| dar(lo)?)?|"
    r"ninguno|ninguna|nada)"
    r"[\s.!]*$",
    re.IGNORECASE,
)
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")
# Before the @ only letters, digits and "._+-'". RFC 5322 allows more ("?", "=", "&", "%"),
# which a mailto: link reads as extra fields ("x?bcc=someone@elsewhere"); no visitor needs them.
PLAIN_LOCAL_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+'\-]*")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass(frozen=True)
class ContactDetails:
    phone: str = ""
    email: str = ""


def is_cancel(text: str | None) -> bool:
    """The visitor wants out of the form altogether ("stop", "never mind", "olvídelo")."""
    return bool(text) and bool(CANCEL_WORDS.match(fold(text or "")))


def is_decline(text: str | None) -> bool:
    """The visitor does not want to answer this one question ("skip", "rather not", "omitir")."""
    return bool(text) and bool(DECLINE_WORDS.match(fold(text or "")))


def normalise_us_phone(text: str) -> str | None:
    """A valid US phone number in E.164 (+1...), or None."""
    for match in phonenumbers.PhoneNumberMatcher(text, "US"):
        number = match.number
        if phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == "US":
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def plain_email(text: str) -> str | None:
    """The address, normalised, when email-validator accepts it and its local part is plain; else None."""
    try:
        address = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    return address if PLAIN_LOCAL_PART.fullmatch(address.rpartition("@")[0]) else None


def normalise_email(text: str) -> str | None:
    """A syntactically valid, plain e-mail address (normalised), or None. No DNS look-up."""
    found = EMAIL_SHAPE.search(text)
    if not found:
        return None
    return plain_email(found.group(0).strip(".,;:<>()"))


def mailto_href(address: str) -> str:
    """A mailto: link for a stored address, or "" when it is not a plain address."""
    plain = plain_email(address) if address else None
    return f"mailto:{quote(plain, safe='@+')}" if plain else ""


def tel_href(number: str) -> str:
    """A tel: link for an E.164 number, or "" for anything else."""
    return f"tel:{number}" if E164.fullmatch(number or "") else ""


def parse_contact(text: str) -> ContactDetails | None:
    """Phone or e-mail found in ``text``; e-mail wins when the text looks like one."""
    if EMAIL_SHAPE.search(text):
        email = normalise_email(text)
        return ContactDetails(email=email) if email else None
    phone = normalise_us_phone(text)
    return ContactDetails(phone=phone) if phone else None


NAME_PREFIX = re.compile(
    r"^\s*(hi|hello|hey|hola|buenas)?[\s,]*(my name is|my name's|name is|i am|i'm|im|it's|its|this is|call me|"
    r"me llamo|mi nombre es|yo soy|soy|habla|le habla|me dicen)\s+",
    re.I,
)
NAME_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*")


# Answers that are not names: yes/no, thanks, greetings, hesitations (English and Spanish).
NOT_NAMES = frozenset(
    """
    yes yeah yep yup no nope nah ok okay k sure fine thanks thank thx please hi hello hey bye
    maybe idk what why how huh hmm um uh none nobody anonymous nothing
    sí si claro gracias hola adiós adios nada nadie vale bueno
    """.split()
)


def clean_first_name(text: str) -> str | None:
    """The first name in a reply like "I'm maria" -> "Maria"; None when there is no name.

    A button's payload ("/affirm") and answers such as "no" or "yes please" are not names.
    """
    if text.strip().startswith("/"):
        return None
    words = NAME_WORD.findall(NAME_PREFIX.sub("", text))
    if not words or len(words) > 4 or words[0].lower() in NOT_NAMES:
        return None
    name: str = words[0]
    return name[:1].upper() + name[1:50]
