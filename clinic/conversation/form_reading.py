"""What one message gives the contact form: every slot at once, corrections and questions.

"I'm Ana, call me at 949 555 0175 after 4" fills the first name, the contact and the best time
together, whether it is the message that asked for a callback or an answer in the middle of the
form. "actually email me at ana@x.com" replaces the phone; "no wait, my name is Ana Ruiz"
corrects the name; over SMS "use this number" means the number the visitor texts from. A general
question asked while the form waits ("what are your hours?") gives the form nothing, so the form
steps aside (the rules answer it, then the form asks again).

The form's validation action (actions/escalation.py) only calls ``read_form_message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clinic.calendar_words import WEEKDAY_WORDS
from clinic.contact import (
    DECLINED,
    NOT_NAMES,
    is_cancel,
    is_decline,
    normalise_email,
    normalise_us_phone,
)
from clinic.conversation.best_time import PARTS_OF_DAY, parse_best_time
from clinic.conversation_ids import SMS_PREFIX
from clinic.language import fold

FORM_TEXT_SLOTS = ("first_name", "contact", "best_time")

# The number the visitor is texting from (SMS): English and Spanish, matched without accents.
OWN_NUMBER = re.compile(
    r"\b(?:(?:use|call|text|try|at|on|to|reach me (?:at|on))\s+)?(?:this|the same|same|my (?:cell|mobile) )\s*"
    r"(?:phone\s+)?(?:number|#|cell|phone|one)\b(?!\s+is\b)"
    r"|\bthe (?:number|phone|cell) (?:i'?m|i am|im) (?:texting|writing|messaging|sending)(?: you)?(?: from| with| on)?"
    r"|\b(?:the )?(?:number|phone) i (?:text|am texting|texted) (?:you )?(?:from|with|on)"
    r"|\b(?:este|mismo|el mismo) (?:numero|telefono|celular)\b"
    r"|\bel (?:numero|telefono|celular) (?:de )?(?:del que|desde el que|con el que) (?:le |les |te )?"
    r"(?:escribo|mando|estoy escribiendo)",
    re.IGNORECASE,
)
EMAIL_SPAN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_SPAN = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}")
# A name said as one: "I'm Ana", "my name is Ana Ruiz", "this is Ana", "me llamo Ana", "soy Ana".
NAME_SAID = re.compile(
    r"(?:^|[\s,.;!¡¿])(?:my name is|my name's|name's|name is|the name is|this is|it'?s|i'?m|i am|im|"
    r"me llamo|mi nombre es|yo soy|soy|le habla|habla)\s+(?:(?:actually|really|just|en realidad|realmente)\s+)?"
    r"([A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*)",
    re.IGNORECASE,
)
# Strong markers stay names even for words such as "Rose" or "Will"; the weak ones ("I'm", "soy")
# are followed by many words that are not names ("I'm free after 4", "soy paciente").
STRONG_NAME_MARKER = re.compile(r"my name|name's|name is|me llamo|mi nombre", re.IGNORECASE)
# Words that follow "I'm", "this is", "soy" and are not names.
NOT_NAME_AFTER_MARKER = (
    frozenset(
        """
    a an the at in on of to for from with by about after before around available free home out off busy
    usually normally only just still also not so very really too back here there interested looking calling
    texting writing asking wondering trying hoping going available able sure fine good okay ok sorry new
    patient caller mom dad wife husband daughter son sister brother friend her his their my your
    best better easier easiest always never sometimes mostly usually generally mornings evenings afternoons
    morning evening afternoon night tonight today tomorrow weekdays weekends anytime whenever free
    actually also email phone number cell text call reach contact urgent important serious sick tired
    worried scared afraid nervous confused glad happy ready done hurting suffering desperate exhausted
    regarding re calling writing following checking following what who how why when where
    in pain bad okay alright great awesome cool thankful grateful retired disabled pregnant allergic
    new old young older nurse doctor caregiver parent
    urgente importante nuevo nueva cansada cansado enferma enfermo preocupada preocupado
    de la el los las un una en por para muy paciente mama papa esposa esposo hija hijo amiga amigo
    libre disponible mejor mas siempre nunca casi tarde mañana manana noche hoy ahora aqui
    """.split()
    )
    | set(WEEKDAY_WORDS)
    | NOT_NAMES
)
# Where a time phrase starts: "after 4", "tuesday morning", "mañana por la tarde", "weekends".
TIME_CUE = re.compile(
    r"\b(?:after|before|by|from|since|until|till|around|about|at|antes|despu[eé]s|desde|a las|a eso de)\s+\d"
    r"|\b(?:antes|despu[eé]s|desde)\s+(?:de\s+)?las?\s+\d"
    r"|\b(?:any ?time|anytime|whenever|weekdays?|weekends?|tomorrow|today|tonight|mañana|manana|hoy"
    r"|entre semana|fin de semana|cualquier (?:hora|momento|dia|día)|"
    + "|".join(sorted(WEEKDAY_WORDS, key=len, reverse=True))
    + "|"
    r"" + "|".join(PARTS_OF_DAY) + r")\b",
    re.IGNORECASE,
)
TIME_LEAD = re.compile(r"(?:\b(?:el|los|las|la|en|por|on|this|next|every|in the|any)\s+)+$", re.IGNORECASE)
# A general question, not an answer: the classifier's question intents with a question's shape.
QUESTION_START = re.compile(
    r"^\s*(?:and |y |also |oh |ok |okay |wait |quick question,? |one more thing,? )?"
    r"(?:what|when|where|which|who|why|how|do|does|did|is|are|can|could|will|would|should|may|"
    r"qu[eé]|cu[aá]ndo|d[oó]nde|c[oó]mo|cu[aá]l|cu[aá]nto|por qu[eé]|tienen|hay|aceptan|abren|est[aá]n)\b",
    re.IGNORECASE,
)


# The assistant's questions (data/rules.yml answers each mid-form, then the form asks again).
QUESTION_INTENTS = frozenset(
    """
    fibro_definition fibro_symptoms treatment_overview treatment_medications treatment_physical_therapy
    treatment_cbt treatment_lifestyle ketamine_overview ketamine_mechanism ketamine_onset ketamine_duration
    ketamine_regimen ketamine_side_effects ketamine_vs_traditional ketamine_evidence ketamine_candidacy
    ketamine_session_experience cost_insurance clinic_locations clinic_hours clinic_contact
    several_questions follow_up clinic_services insurance_plan
    """.split()
)
SURE_QUESTION = 0.8
# Never read as an answer: the crisis rules take these over the form.
NOT_FOR_THE_FORM = frozenset({"crisis", "possible_crisis"})


@dataclass(frozen=True)
class FormReading:
    """What a message gives the form: ``slots`` read, or why the asked slot was not read."""

    slots: dict[str, Any] = field(default_factory=dict)
    refused: str | None = None  # "cancelled" (leave the form) or "declined" (skip this question)
    problem: str | None = None  # the message (content/messages.yml) saying why the answer was not taken
    question: bool = False  # a general question: the form steps aside for it


def unread_message(events: list[dict[str, Any]]) -> bool:
    """Whether the latest user message is still to be read by the form.

    Once the form stepped aside for it (Rasa recorded the form's rejection), the message was a
    question: when the form comes back after the answer, it must not read the question again.
    """
    for event in reversed(events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action_execution_rejected" and event.get("name") == "escalation_form":
            return False
    return False


def sms_sender_number(tracker: Any) -> str | None:
    """The number an SMS conversation texts from (the SMS channel keeps it, sealed, per sender id)."""
    sender = str(getattr(tracker, "sender_id", "") or "")
    if not sender.startswith(SMS_PREFIX):
        return None
    from clinic.sms_state import SmsState

    number = SmsState().reply_address(sender)
    return normalise_us_phone(number) if number else None


def asks_instead(text: str, intent: str | None, confidence: float) -> bool:
    """A general question asked instead of an answer to a yes/no question ("what are your hours?").

    The classifier must be sure of one of the assistant's questions and the message shaped as
    one: "why?" or "who will call me?" are about the question asked, and asked again.
    """
    return intent in QUESTION_INTENTS and confidence >= SURE_QUESTION and looks_like_question(text)


def mentions_own_number(text: str) -> bool:
    """ "this number", "use this number", "the number I'm texting from", "este número"."""
    return bool(OWN_NUMBER.search(fold(text or "")))


def looks_like_question(text: str) -> bool:
    stripped = (text or "").strip()
    return stripped.endswith("?") or stripped.startswith("¿") or bool(QUESTION_START.match(stripped))


def read_contact(text: str, own_number: str | None = None) -> str | None:
    """The e-mail or US phone in ``text``, or the sender's own number when the text points at it.

    The last detail given wins: "call 949 555 0175, actually email me at ana@x.com" is the e-mail.
    """
    found: list[tuple[int, str]] = []
    for match in EMAIL_SPAN.finditer(text):
        email = normalise_email(match.group(0))
        if email:
            found.append((match.start(), email))
    for match in PHONE_SPAN.finditer(text):
        phone = normalise_us_phone(match.group(0))
        if phone:
            found.append((match.start(), phone))
    if own_number:
        own = OWN_NUMBER.search(fold(text))
        if own:
            found.append((own.start(), own_number))
    return max(found)[1] if found else None


def _without_contact(text: str) -> str:
    return PHONE_SPAN.sub(" ", EMAIL_SPAN.sub(" ", text))


def read_name(text: str, asked: bool) -> str | None:
    """A first name said in ``text`` ("I'm Ana", "me llamo Ana"); when ``asked``, also a bare "Ana"."""
    plain = _without_contact(text)
    named = None
    for match in NAME_SAID.finditer(plain):
        word = match.group(1)
        marker = match.group(0)
        if word.lower() in NOT_NAME_AFTER_MARKER and not (STRONG_NAME_MARKER.search(marker) and word[:1].isupper()):
            continue
        if not STRONG_NAME_MARKER.search(marker) and re.search(r"(?:ing|ed)$", word.lower()) and len(word) > 5:
            continue
        named = word  # the last one said wins: "I'm Anna... no wait, my name is Ana"
    if named is None and asked:
        # The answer to "What is your first name?": its first words, before any contact or time.
        first = re.split(r"[,;.!?]|\s+(?:and|y|call|text|email|e-mail|llam|escrib)\w*\b", plain.strip(), maxsplit=1)[0]
        first = re.sub(
            r"^\s*(?:hi|hello|hey|hola|buenas|ok|okay|sure|yes|yeah|s[ií]|claro)[\s,!.]+", "", first, flags=re.I
        )
        words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*", first)
        if 1 <= len(words) <= 3 and words[0].lower() not in NOT_NAME_AFTER_MARKER:
            named = words[0]
    if not named:
        return None
    return named[:1].upper() + named[1:50]


def read_best_time(text: str, today: date) -> str | None:
    """The time phrase in ``text`` ("after 4", "tuesday morning"), when the best-time parser understands it."""
    plain = " ".join(_without_contact(text).split())
    cue = TIME_CUE.search(plain)
    if not cue:
        return None
    # With the words that lead into it: "el lunes", "en la tarde", "this friday", "on weekdays".
    lead = TIME_LEAD.search(plain[: cue.start()])
    start = lead.start() if lead else cue.start()
    phrase = re.split(r"[.;!?]|,\s*(?=(?:my name|i'?m|this is|me llamo|soy|email|call|text)\b)", plain[start:])[0]
    phrase = phrase.strip(" ,")
    return phrase[:200] if phrase and parse_best_time(phrase, today).understood else None


def read_form_message(
    text: str,
    requested_slot: str | None,
    today: date,
    *,
    own_number: str | None = None,
    question_intent: bool = False,
) -> FormReading:
    """What ``text`` gives the contact form while it asks for ``requested_slot`` (None: starting).

    ``own_number``: over SMS, the number the visitor texts from ("use this number").
    ``question_intent``: the classifier read the message as one of the assistant's questions.
    """
    text = " ".join((text or "").split())
    if not text or text.startswith("/"):
        return FormReading(problem=_problem(requested_slot)) if requested_slot in FORM_TEXT_SLOTS else FormReading()
    if requested_slot in FORM_TEXT_SLOTS:
        if is_cancel(text):
            return FormReading(refused="cancelled")
        if is_decline(text):
            return FormReading(refused=DECLINED)
    slots: dict[str, Any] = {}
    contact = read_contact(text, own_number)
    if contact:
        slots["contact"] = contact
    name = read_name(text, asked=requested_slot == "first_name")
    if name:
        slots["first_name"] = name
    best_time = read_best_time(text, today)
    if best_time:
        slots["best_time"] = best_time
    if requested_slot == "best_time" and "best_time" not in slots and not slots:
        if question_intent and looks_like_question(text):
            return FormReading(question=True)
        # "whenever works", "doesn't matter": the visitor's words are the best time.
        return FormReading(slots={"best_time": text[:200]})
    if requested_slot in FORM_TEXT_SLOTS and not slots:
        if question_intent and looks_like_question(text):
            return FormReading(question=True)
        return FormReading(problem=_problem(requested_slot))
    return FormReading(slots=slots)


def _problem(requested_slot: str | None) -> str | None:
    return {"first_name": "invalid_first_name", "contact": "invalid_contact", "best_time": "ask_best_time"}.get(
        requested_slot or ""
    )
