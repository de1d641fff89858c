"""Every visitor-facing text exists in English and in Spanish, plain, sourced and with its provenance."""

import re

import pytest
import textstat
import yaml

from clinic.sms_render import MAX_SEGMENTS, is_gsm7, split_segments
from clinic.topics import FAQ_INTENTS
from harness.servers import ROOT

CONTENT = ROOT / "content"
# Fernández-Huerta reading ease: 60-70 is "normal" (8th-9th grade), 70-80 "fairly easy"
# (6th-7th grade). On average the answers must be fairly easy; the two that must name
# medicines and receptors (treatment_medications, ketamine_mechanism) may be "normal".
# The measured figures are printed (pytest -s) and in the README.
SPANISH_AVERAGE_READING_EASE_FLOOR = 70
SPANISH_READING_EASE_FLOOR = 60


def load(name):
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))


def language_of(variation):
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return condition.get("value")
    return "en"


def variations(domain, response, language, channel=None):
    return [v for v in domain["responses"][response] if language_of(v) == language and v.get("channel") == channel]


def spanish_text(domain, response, channel=None):
    return variations(domain, response, "es", channel)[0]["text"]


def test_every_domain_response_has_its_english_and_spanish_variations_for_the_same_channels(domain):
    missing = []
    for name, found in domain["responses"].items():
        for channel in {v.get("channel") for v in found}:
            for language in ("en", "es"):
                if len(variations(domain, name, language, channel)) != 1:
                    missing.append((name, language, channel))
    assert missing == []


def test_the_spanish_variations_offer_the_same_buttons(domain):
    for name in domain["responses"]:
        english = [b["payload"] for b in variations(domain, name, "en")[0].get("buttons", [])]
        spanish = [b["payload"] for b in variations(domain, name, "es")[0].get("buttons", [])]
        assert spanish == english, name


def test_the_out_of_scope_answer_no_longer_says_english_only(domain):
    assert "English" not in variations(domain, "utter_out_of_scope", "en")[0]["text"]


def placeholders(text):
    return set(re.findall(r"{(\w+)}", text))


def message_entries():
    return {name: entry for name, entry in load("messages.yml").items() if name != "provenance"}


@pytest.mark.parametrize("name", sorted(message_entries()))
def test_every_message_has_a_spanish_twin_with_the_same_placeholders_and_buttons(name):
    entry = message_entries()[name]
    spanish = entry.get("es")
    assert spanish and spanish.get("text"), f"{name} has no Spanish text"
    assert placeholders(spanish["text"]) == placeholders(entry["text"])
    if "sms" in spanish:
        assert placeholders(spanish["sms"]) == placeholders(entry.get("sms") or entry["text"])
    assert [b["payload"] for b in spanish.get("buttons", [])] == [b["payload"] for b in entry.get("buttons", [])]


def test_every_topic_label_calendar_word_and_clinic_note_has_spanish():
    labels = load("topics.yml")["labels"]
    assert all(set(names) == {"en", "es"} for names in labels.values())
    calendar = load("calendar.yml")
    assert set(calendar["en"]) == set(calendar["es"])
    for clinic in load("clinics.yml")["clinics"]:
        assert set(clinic["es"]) == {k for k in ("parking", "transit") if clinic.get(k)}


def test_the_sms_keywords_have_spanish_twins_for_every_kind():
    keywords = load("sms_keywords.yml")
    assert set(keywords["en"]) == set(keywords["es"])
    assert all(keywords["es"][kind] for kind in keywords["es"])


@pytest.mark.parametrize("name", ["messages.yml", "topics.yml", "calendar.yml", "language.yml"])
def test_the_spanish_content_says_who_wrote_and_reviewed_it_without_claiming_a_review(name):
    provenance = load(name)["provenance"]
    spanish = provenance.get("es", provenance)
    assert spanish["written_by"].startswith("assistant team (es), 2026-")
    assert spanish["reviewed_by"].startswith("pending")


def test_spanish_sms_variants_stay_in_gsm7_and_within_three_segments(domain):
    too_long_or_ucs2 = []
    for name in domain["responses"]:
        for variation in variations(domain, name, "es", "sms"):
            text = variation["text"]
            if not is_gsm7(text) or len(split_segments(text, max_segments=99)) > MAX_SEGMENTS:
                too_long_or_ucs2.append(name)
    for name, entry in message_entries().items():
        sms = (entry.get("es") or {}).get("sms")
        if sms and not is_gsm7(sms):
            too_long_or_ucs2.append(name)
    assert too_long_or_ucs2 == []


def test_spanish_faq_answers_cite_a_spanish_source_where_one_is_listed(domain):
    sources = load("sources.yml")
    for intent in sorted(FAQ_INTENTS):
        spanish_sources = [s for s in sources[f"utter_{intent}"] if s.get("language") == "es"]
        if any("MedlinePlus" in s["publisher"] for s in spanish_sources):
            assert "MedlinePlus en español" in spanish_text(domain, f"utter_{intent}"), intent


def reading_ease(text):
    """Fernández-Huerta and Szigriszt-Pazos of an answer, its sources left out.

    A list item is read as a sentence of its own: without its full stop, the formulas would
    take a whole list for one long sentence.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("Fuentes:")]
    body = " ".join(line if line[-1] in ".?!:" else f"{line}." for line in lines)
    textstat.set_lang("es")
    try:
        return textstat.fernandez_huerta(body), textstat.szigriszt_pazos(body)
    finally:
        textstat.set_lang("en_US")


def test_the_spanish_faq_answers_read_at_a_plain_language_level(domain):
    scores = {intent: reading_ease(spanish_text(domain, f"utter_{intent}")) for intent in sorted(FAQ_INTENTS)}
    for intent, (huerta, szigriszt) in scores.items():
        print(f"{intent}: Fernandez-Huerta {huerta:.0f}, Szigriszt-Pazos {szigriszt:.0f}")
    average = sum(h for h, _ in scores.values()) / len(scores)
    print(f"average Fernandez-Huerta: {average:.1f}")
    assert average >= SPANISH_AVERAGE_READING_EASE_FLOOR
    assert all(huerta >= SPANISH_READING_EASE_FLOOR for huerta, _ in scores.values()), scores
