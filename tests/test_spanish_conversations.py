"""Spanish conversations with the running assistant: over REST, over socket.io, and by signed SMS.

The socket.io conversations use the python-socketio client (the protocol the widget speaks);
the widget itself is exercised in tests/browser/.
"""

import itertools
import queue
import time
import uuid

import pytest
import requests
import socketio
from twilio.request_validator import RequestValidator

from harness.servers import list_escalations, running_assistant
from tests.conftest import texts
from tests.fake_twilio import AUTH_TOKEN, PUBLIC_URL, sms_env


def new_visitor() -> str:
    return f"visitante-{uuid.uuid4().hex}"


def language_slot(rest, visitor):
    return rest.tracker(visitor)["slots"]["language"]


# --- REST --------------------------------------------------------------------------------


def test_a_spanish_visitor_gets_the_note_and_the_answer_in_spanish(rest):
    visitor = new_visitor()
    replies = rest.say(visitor, "hola, que es la fibromialgia?")
    assert replies[0]["text"].startswith("Doy información general, no consejo médico")
    assert "La fibromialgia es una enfermedad de larga duración" in texts(replies)
    assert language_slot(rest, visitor) == "es"


def test_the_finder_answers_in_spanish(rest):
    visitor = new_visitor()
    rest.say(visitor, "buenas tardes")
    answer = texts(rest.say(visitor, "vivo en Anaheim, cual clinica me queda mas cerca?"))
    assert "La clínica más cercana a Anaheim es la de" in answer and "[Mapa de" in answer
    hours = texts(rest.say(visitor, "y a que hora abren el sabado?"))
    assert hours.startswith("Horario para sábado")


def test_a_spanish_crisis_gets_988_press_2_first(rest):
    visitor = new_visitor()
    replies = rest.say(visitor, "ya no aguanto, me quiero matar esta noche")
    assert "988" in replies[0]["text"] and "oprime 2" in replies[0]["text"] and "911" in replies[0]["text"]


def test_asking_for_a_spanish_speaker_leads_through_the_form_in_spanish_to_a_flagged_escalation(rest, assistant):
    visitor = new_visitor()
    start = texts(rest.say(visitor, "hay alguien que hable español? quiero hablar con una persona"))
    assert "que habla español se comunique con usted" in start and "¿Cuál es su nombre?" in start
    assert "teléfono o correo" in texts(rest.say(visitor, "me llamo Lupe"))
    assert "mejor hora" in texts(rest.say(visitor, "mi cel es 714 555 0123"))
    consent = rest.say(visitor, "el martes en la tarde, después de las 5")
    assert "¿Está de acuerdo" in texts(consent)
    assert [b["title"] for m in consent for b in m.get("buttons", [])] == ["Sí, estoy de acuerdo", "No"]
    done = texts(rest.say(visitor, "sí"))
    assert done.startswith("Gracias, Lupe. Una persona de nuestra clínica que habla español")
    [record] = [e for e in list_escalations(assistant["env"]) if e["conversation_id"] == visitor]
    assert record["language"] == "es" and record["needs_spanish_speaker"]
    assert record["first_name"] == "Lupe" and record["best_time"] == "el martes en la tarde, después de las 5"


def test_the_language_switches_on_a_clear_spanish_sentence_and_back_on_request(rest):
    visitor = new_visitor()
    assert "Fibromyalgia is" in texts(rest.say(visitor, "what is fibromyalgia"))
    assert texts(rest.say(visitor, "gracias")).startswith("You're welcome")  # one word is not a switch
    assert language_slot(rest, visitor) == "en"
    answer = texts(rest.say(visitor, "cuanto cuesta la ketamina y la aceptan con seguro?"))
    assert "el seguro médico no cubre las infusiones" in answer
    assert language_slot(rest, visitor) == "es"
    assert texts(rest.say(visitor, "english please")).startswith("Sure, let's continue in English")
    assert language_slot(rest, visitor) == "en"


def test_two_short_spanish_messages_in_a_row_switch_the_language(rest):
    visitor = new_visitor()
    rest.say(visitor, "hi there")
    assert texts(rest.say(visitor, "hola")).startswith("Hello!")
    assert texts(rest.say(visitor, "gracias")).startswith("¡Con gusto!")


def test_asking_in_spanish_for_spanish_switches_at_once(rest):
    visitor = new_visitor()
    rest.say(visitor, "hello")
    assert texts(rest.say(visitor, "¿habla español?")).startswith("Claro, seguimos en español")


# --- socket.io ---------------------------------------------------------------------------


class Tab:
    """One browser tab speaking Rasa's socket.io events, with the widget's language setting."""

    def __init__(self, base: str, language: str) -> None:
        self.events: queue.Queue[tuple[str, object]] = queue.Queue()
        self.held: dict[str, list] = {}
        self.client = socketio.Client(reconnection=False)
        for name in ("session_confirm", "history", "bot_uttered", "language", "widget_config"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        self.client.connect(base, transports=["polling"])
        self.client.emit("session_request", {"session_id": None, "language": language})
        self.token = self.wait("session_confirm")

    def wait(self, name, timeout=30):
        """The next ``name`` event; other events that arrive meanwhile are kept for their own wait."""
        if self.held.get(name):
            return self.held[name].pop(0)
        while True:
            event, data = self.events.get(timeout=timeout)
            if event == name:
                return data
            self.held.setdefault(event, []).append(data)

    def say(self, text, settle=1.5):
        """Sends ``text``; the bot's texts (Rasa sends each paragraph on its own) until they stop coming."""
        self.client.emit("user_uttered", {"message": text, "session_id": self.token})
        replies = [self.wait("bot_uttered")["text"]]
        while True:
            try:
                event, data = self.events.get(timeout=settle)
            except queue.Empty:
                return "\n".join(replies)
            if event == "bot_uttered":
                replies.append(data["text"])
            else:
                self.held.setdefault(event, []).append(data)

    def close(self):
        self.client.eio.disconnect(abort=True)


@pytest.fixture
def tab(assistant):
    opened = []

    def open_tab(language):
        opened.append(Tab(assistant["rasa"], language))
        return opened[-1]

    yield open_tab
    for each in opened:
        each.close()


def test_the_widgets_language_setting_starts_a_spanish_conversation_and_its_interface(tab):
    visitor = tab("es")
    shown = visitor.wait("language")
    assert shown["language"] == "es" and shown["strings"]["send"] == "Enviar"
    card = visitor.wait("widget_config")
    assert card["disclaimer"].startswith("Doy información general") and card["intro"].startswith("Pregúnteme")
    assert "¿Qué es la fibromialgia?" in card["suggestions"]
    assert visitor.say("hi").startswith("¡Hola!")


def test_over_socketio_faq_form_and_crisis_are_in_spanish_and_the_interface_follows_a_switch(tab):
    visitor = tab("en")
    assert visitor.wait("language")["strings"]["send"] == "Send"
    assert "La ketamina es un anestésico" in visitor.say("q es la ketamina y para que sirve?")
    assert visitor.wait("language")["strings"]["placeholder"] == "Escriba su pregunta…"
    assert visitor.say("cuanto tiempo dura el alivio de la ketamina?").startswith("Cuánto dura el alivio")
    form = visitor.say("quiero hacer una cita")
    assert "para hacer una cita" in form and "¿Cuál es su nombre?" in form
    assert visitor.say("olvídelo").startswith("Está bien, ya paré")
    crisis = visitor.say("me tome todas mis pastillas a proposito")
    assert "911" in crisis and "988" in crisis
    assert visitor.say("english please").startswith("Sure, let's continue in English")
    assert visitor.wait("language")["strings"]["send"] == "Send"


# --- signed SMS --------------------------------------------------------------------------

_numbers = itertools.count(700)


@pytest.fixture(scope="module")
def sms_assistant(tmp_path_factory, twilio):
    with running_assistant(tmp_path_factory.mktemp("sms-es"), sms_env(twilio)) as servers:
        yield servers


def text_in(servers, twilio, number, body, settle=1.0):
    """Texts ``body`` with a valid Twilio signature; returns the SMS sent back once they stop coming."""
    before = len(twilio.to(number))
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "To": "+19495550100", "Body": body}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, params)
    response = requests.post(
        f"{servers['rasa']}/webhooks/sms/webhook", data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    assert response.status_code == 200
    twilio.wait_for(number, before + 1)
    while True:
        count = len(twilio.to(number))
        time.sleep(settle)
        if len(twilio.to(number)) == count:
            return " ".join(twilio.to(number)[before:])


def test_by_sms_a_spanish_texter_gets_faq_finder_form_crisis_help_and_stop_in_spanish(sms_assistant, twilio):
    number = f"+1714555{next(_numbers):04d}"
    faq = text_in(sms_assistant, twilio, number, "hola q es la fibromialgia?")
    assert "Doy informacion general" in faq or "Doy información general" in faq
    assert "La fibromialgia es una enfermedad real" in faq
    assert "Clinica de Irvine" in text_in(sms_assistant, twilio, number, "tienen clinica en irvine?")
    assert "¿Cual es su nombre?" in text_in(sms_assistant, twilio, number, "quiero una cita porfa")
    text_in(sms_assistant, twilio, number, "Ana")
    text_in(sms_assistant, twilio, number, number)
    consent = text_in(sms_assistant, twilio, number, "en la tarde")
    assert "Responda 1 para Sí, estoy de acuerdo, 2 para No." in consent
    assert "se comunicara con usted" in text_in(sms_assistant, twilio, number, "1")
    crisis = text_in(sms_assistant, twilio, number, "me quiero morir")
    assert "988" in crisis and "oprime 2" in crisis
    assert "Responda ALTO" in text_in(sms_assistant, twilio, number, "AYUDA")
    assert "se dio de baja" in text_in(sms_assistant, twilio, number, "ALTO")
    records = [e for e in list_escalations(sms_assistant["env"]) if e["first_name"] == "Ana"]
    assert records and all(r["language"] == "es" and r["needs_spanish_speaker"] for r in records)
