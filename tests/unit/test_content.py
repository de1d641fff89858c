"""The answers themselves: sourced, short, plain, and true to the clinic's medical facts."""

import re

import pytest
import yaml

from clinic.topics import FAQ_INTENTS
from harness.servers import ROOT


@pytest.fixture(scope="module")
def sources():
    return yaml.safe_load((ROOT / "content" / "sources.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rules():
    return yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]


def default_text(domain, response):
    return next(v["text"] for v in domain["responses"][response] if "channel" not in v)


def sms_text(domain, response):
    return next(v["text"] for v in domain["responses"][response] if v.get("channel") == "sms")


@pytest.mark.parametrize("intent", sorted(FAQ_INTENTS))
def test_every_faq_answer_lists_its_sources(sources, intent):
    references = sources[f"utter_{intent}"]
    assert len(references) >= 2
    for reference in references:
        assert reference["title"] and reference["publisher"]


@pytest.mark.parametrize("intent", sorted(FAQ_INTENTS))
def test_faq_answers_fit_a_chat_bubble_and_an_sms(domain, intent):
    words = len(default_text(domain, f"utter_{intent}").split())
    assert 25 <= words <= 140
    sms = sms_text(domain, f"utter_{intent}")
    assert len(sms) <= 300 and "http" not in sms and "**" not in sms


def syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(count, 1)


@pytest.mark.parametrize("intent", sorted(FAQ_INTENTS))
def test_faq_answers_are_plain_language(domain, intent):
    """Flesch-Kincaid grade, with medical names left out of the syllable count."""
    text = default_text(domain, f"utter_{intent}").split("Sources:")[0]
    sentences = [s for s in re.split(r"[.!?\n]+", text) if s.strip()]
    words = [w for w in re.findall(r"[A-Za-z']+", text) if not w[0].isupper()]
    grade = 0.39 * len(words) / len(sentences) + 11.8 * sum(map(syllables, words)) / len(words) - 15.59
    assert grade <= 11


def test_every_intent_is_answered_by_a_rule(domain, rules):
    ruled = {step["intent"] for rule in rules for step in rule["steps"] if "intent" in step}
    assert set(domain["intents"]) <= ruled


@pytest.mark.parametrize(
    ("intent", "facts"),
    [
        ("treatment_medications", ["pregabalin", "duloxetine", "milnacipran", "NSAID"]),
        ("treatment_physical_therapy", ["strongest"]),
        ("ketamine_mechanism", ["NMDA", "glutamate"]),
        ("ketamine_evidence", ["not FDA-approved", "off-label", "Spravato", "depression"]),
        ("ketamine_side_effects", ["blood pressure", "nausea", "dizz"]),
        ("ketamine_session_experience", ["drive", "blood pressure, heart rate"]),
    ],
)
def test_answers_state_the_key_medical_facts(domain, intent, facts):
    text = default_text(domain, f"utter_{intent}").lower()
    for fact in facts:
        assert fact.lower() in text, f"utter_{intent} does not mention {fact!r}"


def test_fibromyalgia_ketamine_evidence_is_presented_with_its_limits(domain):
    text = default_text(domain, "utter_ketamine_evidence").lower()
    assert "small" in text and ("short" in text or "brief" in text)


def test_disclaimer_says_not_medical_advice_and_911(domain):
    text = default_text(domain, "utter_disclaimer")
    assert "not medical advice" in text and "911" in text


SAFETY_NUMBERS = {
    "utter_crisis_suicide_self_harm": ["988", "911"],
    "utter_crisis_overdose_poisoning": ["911", "1-800-222-1222", "988"],
    "utter_crisis_medical_emergency": ["911"],
    "utter_crisis_other_in_danger": ["911", "988"],
    "utter_ask_safety_answer": ["988"],
    "utter_safety_followup": ["988", "911"],
}


def variants(domain, response):
    """(language, channel, text) of every variation of a response."""
    for variation in domain["responses"][response]:
        language = next((c["value"] for c in variation.get("condition", []) if c["name"] == "language"), "en")
        yield language, variation.get("channel", "web"), variation["text"]


@pytest.mark.parametrize("response", sorted(SAFETY_NUMBERS))
def test_every_safety_reply_has_its_numbers_in_english_and_spanish_on_web_and_sms(domain, response):
    from clinic.sms_render import split_segments

    found = {(language, channel): text for language, channel, text in variants(domain, response)}
    assert set(found) == {("en", "web"), ("en", "sms"), ("es", "web"), ("es", "sms")}
    for (language, channel), text in found.items():
        assert all(number in text for number in SAFETY_NUMBERS[response]), (language, channel)
        if channel == "sms":
            assert split_segments(text) == [text], (response, language)


def test_spanish_suicide_replies_say_press_2_or_text_ayuda(domain):
    for language, _, text in variants(domain, "utter_crisis_suicide_self_harm"):
        if language == "es":
            assert "oprime 2" in text and "AYUDA" in text


def test_medical_emergency_and_overdose_replies_start_with_911(domain):
    for response in ("utter_crisis_overdose_poisoning", "utter_crisis_medical_emergency"):
        for _, _, text in variants(domain, response):
            assert text.index("911") < 25, text
