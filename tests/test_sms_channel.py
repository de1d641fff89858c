"""The SMS channel against the real Rasa and action servers and a Twilio-compatible fake."""

import hashlib
import hmac
import itertools
import time
import uuid
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from clinic.directory import default_directory
from clinic.sms_state import SmsState
from harness.servers import list_escalations, running_assistant
from tests.fake_twilio import ADDRESS_KEY, AUTH_TOKEN, HASH_KEY, PUBLIC_URL, sms_env

_numbers = itertools.count(100)


@pytest.fixture(scope="module")
def sms_assistant(tmp_path_factory, twilio):
    with running_assistant(tmp_path_factory.mktemp("sms"), sms_env(twilio, SMS_RATE_LIMIT="6")) as servers:
        yield servers


def new_number() -> str:
    return f"+1949555{next(_numbers):04d}"


def post(servers, params, signature=None, sign=True):
    headers = {}
    if sign:
        headers["X-Twilio-Signature"] = signature or RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, params)
    return requests.post(f"{servers['rasa']}/webhooks/sms/webhook", data=params, headers=headers, timeout=30)


def text(servers, number, body, sid=None):
    params = {"MessageSid": sid or f"SM{uuid.uuid4().hex}", "From": number, "To": "+19495550100", "Body": body}
    response = post(servers, params)
    assert response.status_code == 200 and "<Response>" in response.text
    return params["MessageSid"]


def exchange(servers, twilio, number, body, settle=1.0):
    """Texts ``body`` and returns the SMS sent back, once no more arrive for ``settle`` seconds."""
    before = len(twilio.to(number))
    text(servers, number, body)
    twilio.wait_for(number, before + 1)
    while True:
        count = len(twilio.to(number))
        time.sleep(settle)
        if len(twilio.to(number)) == count:
            return twilio.to(number)[before:]


def conversation_events(servers, number):
    sender = "sms-" + hmac.new(HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]
    response = requests.get(
        f"{servers['rasa']}/conversations/{sender}/tracker", params={"token": servers["token"]}, timeout=30
    )
    return sender, response.json()["events"]


def test_signed_question_gets_an_sms_answer(sms_assistant, twilio):
    number = new_number()
    text(sms_assistant, number, "what is fibromyalgia")
    [first, *_] = twilio.wait_for(number, 2)
    assert "not medical advice" in first
    answer = " ".join(twilio.to(number))
    assert "fibromyalgia" in answer.lower() and "**" not in answer


@pytest.mark.parametrize("signature", [None, "forged-signature"])
def test_unsigned_or_forged_requests_are_refused_and_not_recorded(sms_assistant, twilio, signature):
    number = new_number()
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": number, "Body": "hello"}
    response = post(sms_assistant, params, signature=signature, sign=signature is not None)
    assert response.status_code == 403
    _, events = conversation_events(sms_assistant, number)
    assert not any(e["event"] == "user" for e in events)
    assert twilio.to(number) == []


def test_picture_without_text_gets_one_reply_and_its_url_is_kept_nowhere(sms_assistant, twilio):
    # Twilio signs the empty Body of a picture message too; dropping it would fail the signature.
    number = new_number()
    media_url = f"https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM{uuid.uuid4().hex}/Media/ME1"
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": number,
        "Body": "",
        "NumMedia": "1",
        "MediaUrl0": media_url,
        "MediaContentType0": "image/jpeg",
    }
    response = post(sms_assistant, params)
    assert response.status_code == 200 and "<Response>" in response.text
    assert twilio.wait_for(number, 1) == [
        "Sorry, I can't read pictures or other attachments. Please type your question as text."
    ]
    text(sms_assistant, number, "what is fibromyalgia")
    twilio.wait_for(number, 2)
    _, events = conversation_events(sms_assistant, number)
    assert media_url not in str(events) and "MediaUrl" not in str(events)
    var = Path(sms_assistant["env"]["CLINIC_VAR_DIR"])
    assert media_url.encode() not in (var / "sms.db").read_bytes()
    for log in (sms_assistant["rasa_log"], sms_assistant["actions_log"]):
        assert media_url not in Path(log).read_text(encoding="utf-8")


def test_signature_for_the_wrong_url_is_refused(sms_assistant):
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": new_number(), "Body": "hi"}
    wrong = RequestValidator(AUTH_TOKEN).compute_signature(f"{sms_assistant['rasa']}/webhooks/sms/webhook", params)
    assert post(sms_assistant, params, signature=wrong).status_code == 403


def test_a_retried_message_sid_is_answered_once(sms_assistant, twilio):
    number = new_number()
    sid = text(sms_assistant, number, "how much does ketamine cost")
    text(sms_assistant, number, "how much does ketamine cost", sid=sid)
    bodies = twilio.wait_for(number, 2)
    sender, events = conversation_events(sms_assistant, number)
    assert len([e for e in events if e["event"] == "user"]) == 1
    assert len(twilio.to(number)) == len(bodies)


def test_phone_number_is_not_the_conversation_id(sms_assistant, twilio):
    number = new_number()
    text(sms_assistant, number, "hello")
    twilio.wait_for(number, 1)
    sender, events = conversation_events(sms_assistant, number)
    assert sender.startswith("sms-") and number not in sender and "9495" not in sender
    assert any(e["event"] == "user" for e in events)
    with open(sms_assistant["rasa_log"], encoding="utf-8") as log:
        assert number not in log.read()


def screened(servers, number, body):
    """Texts ``body`` from an opted-out number and waits until Rasa has handled it (nothing is sent)."""
    text(servers, number, body)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, events = conversation_events(servers, number)
        turns = [e for e in events if e["event"] == "user" and e.get("text") == body]
        if turns and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen":
            return turns[-1]
        time.sleep(0.2)
    raise AssertionError(f"{body!r} never reached the conversation")


def sms_state(servers) -> SmsState:
    return SmsState(Path(servers["env"]["CLINIC_VAR_DIR"]) / "sms.db")


ENGLISH_ACK = "you're unsubscribed"
SPANISH_ACK = "se dio de baja"


@pytest.mark.parametrize(
    ("body", "ack"),
    [
        ("STOP", ENGLISH_ACK),
        ("stop", ENGLISH_ACK),
        ("Stop.", ENGLISH_ACK),
        ("STOPALL", ENGLISH_ACK),
        ("Quit", ENGLISH_ACK),
        ("END", ENGLISH_ACK),
        ("revoke", ENGLISH_ACK),
        ("Opt out", ENGLISH_ACK),
        ("OPTOUT", ENGLISH_ACK),
        ("cancel", ENGLISH_ACK),
        ("Unsubscribe", ENGLISH_ACK),
        ("STOP please", ENGLISH_ACK),
        ("please stop texting me", ENGLISH_ACK),
        ("stop texting me please", ENGLISH_ACK),
        ("No more texts!", ENGLISH_ACK),
        ("ALTO", SPANISH_ACK),
        ("parar", SPANISH_ACK),
        ("Para", SPANISH_ACK),
        ("BASTA", SPANISH_ACK),
        ("Cancelar", SPANISH_ACK),
        ("detener", SPANISH_ACK),
        ("No más mensajes", SPANISH_ACK),
        ("dejen de mandarme mensajes", SPANISH_ACK),
        ("Alto, por favor", SPANISH_ACK),
    ],
)
def test_every_opt_out_word_takes_effect_at_once_with_one_confirmation_in_its_language(
    sms_assistant, twilio, body, ack
):
    number = new_number()
    text(sms_assistant, number, body)
    [confirmation] = twilio.wait_for(number, 1)
    assert ack in confirmation and default_directory().group_name in confirmation
    text(sms_assistant, number, body)  # the same word again: no second confirmation
    screened(sms_assistant, number, "what are your hours?")
    assert twilio.to(number) == [confirmation]


@pytest.mark.parametrize(
    "body", ["my pain won't stop", "are you open on the weekend", "I need to cancel my appointment"]
)
def test_ordinary_sentences_with_stop_end_or_cancel_are_answered_not_unsubscribed(sms_assistant, twilio, body):
    number = new_number()
    reply = " ".join(exchange(sms_assistant, twilio, number, body))
    assert "unsubscribed" not in reply
    sender, _ = conversation_events(sms_assistant, number)
    assert not sms_state(sms_assistant).is_opted_out(sender)


def test_stop_then_a_question_gets_nothing_until_start(sms_assistant, twilio):
    number = new_number()
    text(sms_assistant, number, "STOP")
    [ack] = twilio.wait_for(number, 1)
    assert ENGLISH_ACK in ack
    text(sms_assistant, number, "Stop")
    screened(sms_assistant, number, "what are your hours?")
    screened(sms_assistant, number, "HELP")
    assert twilio.to(number) == [ack]
    text(sms_assistant, number, "START")
    assert "subscribed to our texts again" in twilio.wait_for(number, 2)[1]
    text(sms_assistant, number, "what are your hours?")
    assert "Orange" in " ".join(twilio.wait_for(number, 3)[2:])


def test_spanish_opt_out_and_opt_in_are_confirmed_once_in_spanish_and_kept_in_the_ledger(sms_assistant, twilio):
    number = new_number()
    exchange(sms_assistant, twilio, number, "hola")
    before = len(twilio.to(number))
    text(sms_assistant, number, "ALTO")
    stop_ack = twilio.wait_for(number, before + 1)[-1]
    assert SPANISH_ACK in stop_ack and "COMENZAR" in stop_ack
    text(sms_assistant, number, "alto")
    screened(sms_assistant, number, "que horario tienen")
    text(sms_assistant, number, "Comenzar")
    start_ack = twilio.wait_for(number, before + 2)[-1]
    assert "volvio a suscribirse" in start_ack and "ALTO" in start_ack
    assert len(twilio.to(number)) == before + 2
    sender, _ = conversation_events(sms_assistant, number)
    history = sms_state(sms_assistant).consent_history(sender)
    assert [(e.event, e.keyword, e.language, e.channel) for e in history] == [
        ("opt_in_first_text", "(first text)", "", "sms"),
        ("opt_out", "alto", "es", "sms"),
        ("opt_in_again", "comenzar", "es", "sms"),
    ]


@pytest.mark.parametrize(("body", "language"), [("help", "en"), ("HELP", "en"), ("Ayuda", "es"), ("AYUDA", "es")])
def test_help_names_the_brand_number_rates_frequency_and_opt_out(sms_assistant, twilio, body, language):
    directory = default_directory()
    number = new_number()
    reply = " ".join(exchange(sms_assistant, twilio, number, body))
    assert directory.group_name in reply and directory.group_phone in reply and "988" in reply
    if language == "en":
        assert "Reply STOP to opt out" in reply and "Msg & data rates may apply" in reply
        assert "only in reply to yours" in reply
    else:
        assert "Responda ALTO" in reply and "tarifas de mensajes y datos" in reply
        assert "Solo respondemos a sus mensajes" in reply


def test_the_contact_form_leaves_on_nevermind_and_cancel_still_unsubscribes(sms_assistant, twilio):
    number = new_number()
    intro = " ".join(exchange(sms_assistant, twilio, number, "I want to talk to a person"))
    assert "NEVERMIND to leave them" in intro and "CANCEL or STOP unsubscribes you" in intro
    left = " ".join(exchange(sms_assistant, twilio, number, "NEVERMIND"))
    assert "nothing was sent" in left
    exchange(sms_assistant, twilio, number, "I want to talk to a person")
    before = len(twilio.to(number))
    text(sms_assistant, number, "CANCEL")
    [ack] = twilio.wait_for(number, before + 1)[before:]
    assert ENGLISH_ACK in ack
    screened(sms_assistant, number, "Ana")
    assert len(twilio.to(number)) == before + 1


def test_a_crisis_from_an_opted_out_number_is_escalated_and_not_texted(sms_assistant, twilio):
    number = new_number()
    text(sms_assistant, number, "stop")
    [ack] = twilio.wait_for(number, 1)
    turn = screened(sms_assistant, number, "i want to kill myself")
    assert turn["metadata"]["sms_opted_out"] is True
    sender, _ = conversation_events(sms_assistant, number)
    deadline = time.monotonic() + 15
    records = []
    while not records and time.monotonic() < deadline:
        records = [e for e in list_escalations(sms_assistant["env"]) if e["conversation_id"] == sender]
        time.sleep(0.3)
    assert records and records[0]["reason"] == "crisis" and records[0]["priority"] == "urgent"
    assert twilio.to(number) == [ack]


def test_numbered_reply_maps_to_the_button_payload(sms_assistant, twilio):
    number = new_number()
    menu = " ".join(exchange(sms_assistant, twilio, number, "should I double my gabapentin dose?"))
    assert "Reply 1 for Yes, please contact me, 2 for No, thanks." in menu
    assert "change your mind" in " ".join(exchange(sms_assistant, twilio, number, "2"))
    _, events = conversation_events(sms_assistant, number)
    assert [e for e in events if e["event"] == "user"][-1]["parse_data"]["intent"]["name"] == "deny"


def test_crisis_by_sms_puts_988_and_911_in_the_first_sms(sms_assistant, twilio):
    number = new_number()
    text(sms_assistant, number, "i took all my pills i want to die")
    first = twilio.wait_for(number, 1)[0]
    assert "988" in first and "911" in first
    sender, _ = conversation_events(sms_assistant, number)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        records = [e for e in list_escalations(sms_assistant["env"]) if e["conversation_id"] == sender]
        if records:
            break
        time.sleep(0.3)
    # Pills taken: the overdose reply (911 and Poison Control first, 988 too).
    assert records[0]["reason"] == "overdose" and records[0]["channel"] == "sms"


def test_staff_can_reach_back_a_crisis_texter_whose_number_is_kept_encrypted(sms_assistant, twilio, monkeypatch):
    number = new_number()
    text(sms_assistant, number, "i want to kill myself")
    twilio.wait_for(number, 1)
    sender, _ = conversation_events(sms_assistant, number)
    state_file = Path(sms_assistant["env"]["CLINIC_VAR_DIR"]) / "sms.db"
    assert number.encode() not in state_file.read_bytes()
    monkeypatch.setenv("SMS_ADDRESS_KEY", ADDRESS_KEY)
    assert SmsState(state_file).reply_address(sender) == number


def test_escalation_by_sms(sms_assistant, twilio):
    number = new_number()
    for body in ["I want to talk to a person", "Ana", number, "weekday mornings"]:
        exchange(sms_assistant, twilio, number, body)
    assert "Reply 1 for Yes, I agree, 2 for No." in " ".join(twilio.to(number))
    assert "will contact you" in " ".join(exchange(sms_assistant, twilio, number, "1"))
    sender, _ = conversation_events(sms_assistant, number)
    [record] = [e for e in list_escalations(sms_assistant["env"]) if e["conversation_id"] == sender]
    assert record["reason"] == "request_human" and record["contact_phone"] == number and record["consent"]


@pytest.mark.parametrize("own", ["use this number", "the number I'm texting from", "este número"])
def test_this_number_over_sms_is_the_number_the_visitor_texts_from(sms_assistant, twilio, own):
    number = new_number()
    for body in ["can someone call me please", "Ana"]:
        exchange(sms_assistant, twilio, number, body)
    reply = " ".join(exchange(sms_assistant, twilio, number, own))
    assert "doesn't look like" not in reply and "no parece" not in reply
    for body in ["after 4", "1"]:
        exchange(sms_assistant, twilio, number, body)
    sender, _ = conversation_events(sms_assistant, number)
    [record] = [e for e in list_escalations(sms_assistant["env"]) if e["conversation_id"] == sender]
    assert record["contact_phone"] == number and record["consent"] and record["best_time"] == "after 4"
    said = [turn["text"] for turn in record["transcript"] if turn["role"] == "user"]
    assert said[-1] in ("Yes, I agree", "Sí, estoy de acuerdo") and not any(text.startswith("/") for text in said), said


def test_typed_slash_command_is_not_an_intent_over_sms(sms_assistant, twilio):
    number = new_number()
    text(sms_assistant, number, "/restart")
    twilio.wait_for(number, 1)
    _, events = conversation_events(sms_assistant, number)
    assert not any(e["event"] == "restart" for e in events)


def test_rate_limit_replies_politely_once(sms_assistant, twilio):
    number = new_number()
    for i in range(9):
        text(sms_assistant, number, f"hi number {i}")
    time.sleep(6)
    notices = [b for b in twilio.to(number) if "pause" in b]
    assert len(notices) == 1


def test_help_and_start_count_against_the_limit_and_stop_is_honoured_over_it(sms_assistant, twilio):
    number = new_number()  # the module's assistant allows 6 messages per window
    for body in ["HELP", "START", "HELP", "START", "HELP", "START"]:
        text(sms_assistant, number, body)
    twilio.wait_for(number, 6 * 2 - 3)  # HELP is two segments, START one
    text(sms_assistant, number, "HELP")
    assert "pause" in twilio.wait_for(number, 10)[-1]
    text(sms_assistant, number, "Stop please")
    assert ENGLISH_ACK in twilio.wait_for(number, 11)[-1]
    sender, _ = conversation_events(sms_assistant, number)
    assert sms_state(sms_assistant).is_opted_out(sender)


def test_api_server_down_retries_then_delivers(sms_assistant, twilio):
    number = new_number()
    twilio.fail_next = 2
    text(sms_assistant, number, "are you open on saturday")
    bodies = twilio.wait_for(number, 2)
    assert any("Saturday" in b for b in bodies)


def test_api_server_down_for_good_is_logged_and_kept(sms_assistant, twilio):
    number = new_number()
    twilio.fail_next = 1000
    sid = text(sms_assistant, number, "what is ketamine")
    time.sleep(4)
    twilio.fail_next = 0
    state = SmsState(Path(sms_assistant["env"]["CLINIC_VAR_DIR"]) / "sms.db")
    assert any(reply_to == sid for _, reply_to, _ in state.failed_sends())
    with open(sms_assistant["rasa_log"], encoding="utf-8") as log:
        assert f"event=sms.send_failed reply_to={sid}" in log.read()


def test_a_spanish_crisis_by_sms_stays_with_the_person_in_spanish(sms_assistant, twilio):
    number = new_number()
    first = exchange(sms_assistant, twilio, number, "ya no aguanto, me quiero quitar la vida")
    assert "988" in first[0] and "oprime 2" in first[0] and "911" in first[0]
    follow_up = exchange(sms_assistant, twilio, number, "gracias")
    assert "Sigo aqui contigo" in " ".join(follow_up) and "988" in " ".join(follow_up)
    again = exchange(sms_assistant, twilio, number, "me voy a matar hoy")
    assert "988" in again[0]
    sender, _ = conversation_events(sms_assistant, number)
    records = [e for e in list_escalations(sms_assistant["env"]) if e["conversation_id"] == sender]
    assert len(records) == 1 and records[0]["reason"] == "crisis" and records[0]["priority"] == "urgent"


def test_a_possible_crisis_by_sms_is_asked_directly_with_988(sms_assistant, twilio):
    number = new_number()
    question = " ".join(exchange(sms_assistant, twilio, number, "i cant go on like this"))
    assert "Are you thinking about suicide or about hurting yourself?" in question and "988" in question
