"""Is a message Spanish? A count of common Spanish and English words, no model.

Good enough to choose the language of a safety reply: a crisis message is short, and one
Spanish function word ("me", "que", "no quiero") already says a lot. None when the message
has no telling word ("ok", "988"), so the conversation keeps its language.
"""

from __future__ import annotations

import re

from clinic.safety.normalise import fold

SPANISH = frozenset(
    "el la los las un una de del que y en me mi mis te se no si por para con sin como mas pero ya "
    "quiero quisiera necesito ocupo puedo tengo estoy soy es esta estan hola gracias buenos buenas "
    "dias tardes noches ayuda ayudame favor cita precio cuanto cuesta donde cuando porque q "
    "dolor pastillas vivir morir matar muerta muerto nada todo todos hoy ahora ahorita manana "
    "hijo hija esposo esposa mama papa amiga amigo hermano hermana tome quieren puede pueden "
    "oiga disculpe perdon seguro clinica informacion saber hablar hacer aqui asi".split()
)
ENGLISH = frozenset(
    "the a an of to and in i my me you your is are am was it this that what how when where why "
    "do does can could would should will want need have has just not no don't can't i'm it's "
    "hi hello thanks thank please help pain pills dose appointment price cost clinic with for "
    "on at about be been feel feeling today tonight anymore myself he she his her they".split()
)
WORD = re.compile(r"[a-z']+")


def detect_language(text: str | None) -> str | None:
    """ "es", "en", or None when the message does not tell."""
    words = WORD.findall(fold(text or ""))
    spanish = sum(word in SPANISH for word in words)
    english = sum(word in ENGLISH for word in words)
    if spanish > english:
        return "es"
    if english > spanish:
        return "en"
    return None
