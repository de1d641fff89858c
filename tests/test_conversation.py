"""Conversations with the running assistant over its public REST channel."""

import json
import uuid

import pytest
import requests

from tests.conftest import texts


def new_visitor() -> str:
    return f"visitor-{uuid.uuid4().hex}"


def test_first_reply_starts_with_the_disclaimer(rest):
    replies = rest.say(new_visitor(), "hi there")
    assert "not medical advice" in replies[0]["text"] and "911" in replies[0]["text"]
    assert "fibromyalgia" in texts(replies[1:]).lower()


def test_faq_then_clinic_then_goodbye(rest):
    visitor = new_visitor()
    assert "NMDA" in texts(rest.say(visitor, "how does ketamine actually work for pain?"))
    assert "Irvine" in texts(rest.say(visitor, "ok and where are your clinics"))
    assert "take care" in texts(rest.say(visitor, "thanks, bye")).lower()


def test_quick_reply_button_offered_by_the_bot_is_honoured(rest):
    visitor = new_visitor()
    greeting = rest.say(visitor, "hello")
    payloads = [b["payload"] for m in greeting for b in m.get("buttons", [])]
    assert "/fibro_definition" in payloads
    answer = rest.say(visitor, "/fibro_definition")
    assert "fibromyalgia" in texts(answer).lower()
    assert rest.tracker(visitor)["latest_message"]["intent"]["name"] == "fibro_definition"


def test_typed_restart_does_not_reset_the_conversation(rest):
    visitor = new_visitor()
    rest.say(visitor, "what is fibromyalgia")
    replies = rest.say(visitor, "/restart")
    assert replies, "a typed command still gets a reply"
    events = rest.tracker(visitor)["events"]
    assert not any(e["event"] == "restart" for e in events)
    assert any(e.get("text") == "what is fibromyalgia" for e in events)


def test_typed_intent_command_does_not_trigger_the_intent(rest):
    visitor = new_visitor()
    rest.say(visitor, '/crisis{"medication": "lyrica"}')
    latest = rest.tracker(visitor)["latest_message"]
    assert latest["intent"]["name"] != "crisis"
    assert latest["text"] == 'crisis{"medication": "lyrica"}'


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 20_000,
        "pain " * 4_000,
        "😭😭😭🙏",
        "<script>alert('hi')</script><b>bold</b>",
        "¿Cuál es el horario de la clínica?",
        "Quelle heure est-il à Paris ?",
        '{"message": "json inside text"}',
        "\u0000\u200b\ufeff",
        "/",
        "/restart",
        '/some_intent{"a": [1, 2',
    ],
)
def test_bad_input_gets_a_sensible_reply(rest, text):
    replies = rest.say(new_visitor(), text)
    assert replies and all(m.get("text") or m.get("buttons") for m in replies)


@pytest.mark.parametrize(
    "body",
    [
        {"message": "hi"},
        {"sender": "", "message": "hi"},
        {"sender": 12, "message": "hi"},
        {"sender": "s" * 500, "message": "hi"},
        {"sender": "ok", "message": 42},
        ["not", "an", "object"],
    ],
)
def test_malformed_requests_get_a_clear_400(rest, body):
    response = requests.post(f"{rest.base}/webhooks/rest/webhook", json=body, headers=rest.headers, timeout=30)
    assert response.status_code == 400


def test_non_json_body_gets_a_400(rest):
    response = requests.post(
        f"{rest.base}/webhooks/rest/webhook",
        data=b"\xff\xfe not json",
        timeout=30,
        headers={**rest.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_message_longer_than_the_limit_gets_a_clear_400(rest):
    response = requests.post(
        f"{rest.base}/webhooks/rest/webhook",
        json={"sender": new_visitor(), "message": "x" * 20_001},
        headers=rest.headers,
        timeout=30,
    )
    assert response.status_code == 400 and "at most 20000 characters" in response.text


def test_lone_surrogates_are_replaced_and_the_rest_is_understood(rest):
    visitor = new_visitor()
    assert "fibromyalgia" in texts(rest.say(visitor, "\ud800what is fibromyalgia?\udfff")).lower()
    [said] = [e["text"] for e in rest.tracker(visitor)["events"] if e["event"] == "user"]
    assert said == "\ufffdwhat is fibromyalgia?\ufffd"


def test_client_cannot_pick_another_channel(rest):
    visitor = new_visitor()
    requests.post(
        f"{rest.base}/webhooks/rest/webhook",
        json={"sender": visitor, "message": "hello", "input_channel": "sms"},
        headers=rest.headers,
        timeout=30,
    )
    assert rest.tracker(visitor)["latest_input_channel"] == "rest"


def test_nothing_was_logged_as_an_error(rest, assistant):
    rest.say(new_visitor(), "x" * 20_000)
    rest.say(new_visitor(), '/weird{"unclosed": ')
    with open(assistant["rasa_log"], encoding="utf-8", errors="replace") as log:
        # Plain logs (`make run`) name the level between spaces; JSON logs (production) in a field.
        errors = [
            line for line in log if " ERROR " in line or '"level": "error"' in line.lower() or "Traceback" in line
        ]
    assert errors == [], json.dumps(errors[:5])


def test_parse_extracts_places_zip_codes_clinics_and_medications(rest):
    parsed = rest.parse("is the laguna office closer than Irvine to 92630? I take lyrica")
    found = {(e["entity"], e["value"].lower()) for e in parsed["entities"]}
    assert {("city", "irvine"), ("zip_code", "92630"), ("medication", "lyrica")} <= found
    assert any(e["entity"] == "clinic" for e in parsed["entities"])


def test_finder_answers_over_rest(rest):
    visitor = new_visitor()
    assert "closest clinic to ZIP 92630 (Lake Forest) is Laguna Hills" in texts(
        rest.say(visitor, "which of your clinics is closest to 92630?")
    )
    assert "outside Orange County" in texts(rest.say(visitor, "do you have an office in San Diego?"))
