"""Messages that say nothing are told from short or misspelt ones (clinic/conversation/noise.py)."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.noise import is_noise
from clinic.nlu.noise import NoiseMarker


@pytest.mark.parametrize(
    "text", ["😩😩", "??", "…!!", ":-(", "¿?", "asdfghj", "jkljkl", "qwerqwer", "zzzzz", "dfgdfg hjkhjk"]
)
def test_emoji_punctuation_and_keyboard_mashes_are_noise(text):
    assert is_noise(text)


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "92618",
        "ok",
        "hi",
        "were",
        "typewriter",
        "hntngtn bch",
        "fibro??",
        "pain 😩",
        "request",
        "pretty",
        "",
        "  ",
    ],
)
def test_words_numbers_and_hurried_typos_are_not(text):
    assert not is_noise(text)


def _message(text, intent):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.4})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.4}, {"name": "greet", "confidence": 0.3}])
    return message


def test_the_noise_marker_overrides_a_guess_on_noise_and_undoes_a_learned_noise_on_words():
    [noise] = NoiseMarker().process([_message("🙃🙃", "goodbye")])
    assert noise.get("intent") == {"name": "noise", "confidence": 1.0}
    assert [r["name"] for r in noise.get("intent_ranking")] == ["noise", "goodbye", "greet"]
    [words] = NoiseMarker().process([_message("hello", "noise")])
    assert words.get("intent")["name"] == "greet"
