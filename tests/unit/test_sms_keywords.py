"""Which texts are carrier keywords (opt-out, opt-in, help), in which language, and which are not."""

import pytest

from clinic.sms_keywords import read_keyword

OPT_OUTS = {
    "en": [
        "stop",
        "STOP",
        "Stop.",
        "stop!!",
        "stopall",
        "Stop all",
        "quit",
        "END",
        "end",
        "revoke",
        "Opt out",
        "opt-out",
        "OPTOUT",
        "cancel",
        "CANCEL",
        "Unsubscribe",
        "STOP please",
        "please stop",
        "stop now thanks",
        "stop texting me please",
        "please stop texting me",
        "Please stop sending me these",
        "no more texts",
        "NO MORE MESSAGES",
        "don't text me again",
        "unsubscribe me",
        "how do I opt out?",
        "take me off your list",
        "I revoke my consent",
    ],
    "es": [
        "alto",
        "ALTO",
        "Parar",
        "para",
        "basta",
        "Basta ya",
        "cancelar",
        "DETENER",
        "baja",
        "no más mensajes",
        "No mas mensajes",
        "dejen de mandarme mensajes",
        "Por favor dejen de enviarme mensajes",
        "Alto, por favor",
        "no me manden mas textos",
        "quiero darme de baja",
    ],
}


@pytest.mark.parametrize(("language", "text"), [(lang, text) for lang, texts in OPT_OUTS.items() for text in texts])
def test_opt_out_words_and_phrases_in_any_case_and_with_courtesy_words(language, text):
    keyword = read_keyword(text)
    assert keyword is not None and keyword.kind == "stop" and keyword.language == language


@pytest.mark.parametrize(
    "text",
    [
        "my pain won't stop",
        "the pain never seems to end",
        "are you open on the weekend",
        "I need to cancel my appointment",
        "can I cancel my infusion?",
        "I want to end it all",
        "make it stop for good",
        "stop it",
        "when should I stop taking gabapentin",
        "don't stop texting me",
        "para qué sirve la ketamina",
        "quiero cancelar mi cita",
        "es para mi mamá",
        "basta de dolor, quiero una cita",
        "help me find a clinic",
        "",
        "   ",
    ],
)
def test_ordinary_sentences_are_not_keywords(text):
    keyword = read_keyword(text)
    assert keyword is None or keyword.kind != "stop"


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        ("START", "start", "en"),
        ("unstop", "start", "en"),
        ("Comenzar", "start", "es"),
        ("INICIAR", "start", "es"),
        ("help", "help", "en"),
        ("HELP please", "help", "en"),
        ("info", "help", "en"),
        ("Ayuda", "help", "es"),
        ("yes", "opt_in_when_opted_out", "en"),
        ("Sí", "opt_in_when_opted_out", "es"),
    ],
)
def test_opt_in_and_help_words_carry_their_language(text, kind, language):
    keyword = read_keyword(text)
    assert keyword is not None and (keyword.kind, keyword.language) == (kind, language)


def test_what_is_kept_is_the_matched_word_not_the_message():
    assert read_keyword("Please, STOP texting me about my fibro").matched == "stop texting"
