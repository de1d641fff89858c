from clinic.commands import offered_payloads, screen_typed_command

GREETING = {"text": "Hello", "buttons": [{"title": "What is fibromyalgia?", "payload": "/fibro_definition"}]}


def test_offered_payloads_collects_every_button_payload():
    other = {"text": "Did you mean?", "buttons": [{"title": "No", "payload": "/out_of_scope"}]}
    assert offered_payloads([GREETING, {"text": "plain"}, other]) == {"/fibro_definition", "/out_of_scope"}


def test_a_payload_the_bot_offered_passes_unchanged():
    assert screen_typed_command("/fibro_definition", offered_payloads([GREETING])) == "/fibro_definition"


def test_typed_restart_becomes_plain_text():
    assert screen_typed_command("/restart", offered_payloads([GREETING])) == "restart"


def test_typed_intent_with_entities_becomes_plain_text():
    text = '/medical_advice{"medication": "lyrica"}'
    assert screen_typed_command(text, set()) == 'medical_advice{"medication": "lyrica"}'


def test_ordinary_text_is_untouched():
    assert screen_typed_command("what is fibro / fibromyalgia?", set()) == "what is fibro / fibromyalgia?"


def test_only_slashes_becomes_empty_text():
    assert screen_typed_command("  //  ", set()) == ""
