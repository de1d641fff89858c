"""Plain-language names of the assistant's intents, for prompts shown to visitors."""

from __future__ import annotations

TOPIC_LABELS: dict[str, str] = {
    "greet": "saying hello",
    "goodbye": "saying goodbye",
    "thank_you": "saying thanks",
    "bot_challenge": "whether you're talking to a bot",
    "ask_capabilities": "what I can help with",
    "request_human": "talking to a person at the clinic",
    "fibro_definition": "what fibromyalgia is",
    "fibro_symptoms": "the symptoms of fibromyalgia",
    "treatment_overview": "treatment options for fibromyalgia",
    "treatment_medications": "medicines used for fibromyalgia",
    "treatment_physical_therapy": "exercise and physical therapy",
    "treatment_cbt": "CBT and counseling",
    "treatment_lifestyle": "sleep, stress and diet",
    "ketamine_overview": "what ketamine therapy is",
    "ketamine_mechanism": "how ketamine works",
    "ketamine_onset": "how fast ketamine works",
    "ketamine_duration": "how long ketamine relief lasts",
    "ketamine_regimen": "the ketamine infusion schedule",
    "ketamine_side_effects": "ketamine side effects and risks",
    "ketamine_vs_traditional": "ketamine compared with other treatments",
    "ketamine_evidence": "research and FDA status of ketamine",
    "ketamine_candidacy": "who can have ketamine therapy",
    "ketamine_session_experience": "what an infusion day is like",
    "cost_insurance": "cost and insurance",
    "clinic_locations": "where our clinics are",
    "clinic_hours": "our opening hours",
    "clinic_contact": "how to contact a clinic",
    "book_appointment": "booking an appointment",
    "medical_advice": "a question about your own care",
}

# Intents never offered back as a "did you mean" guess: answering yes to them would not help.
NOT_CONFIRMABLE = {"affirm", "deny", "out_of_scope", "nlu_fallback", "crisis"}


def topic_label(intent: str) -> str | None:
    """The visitor-facing label of an intent, or None when it has none."""
    return TOPIC_LABELS.get(intent)


def best_guess(intent_ranking: list[dict]) -> str | None:
    """The highest-ranked intent that can be offered back to the visitor for confirmation."""
    for candidate in intent_ranking:
        name = candidate.get("name")
        if name not in NOT_CONFIRMABLE and name in TOPIC_LABELS:
            return name
    return None


FAQ_INTENTS = frozenset(
    {
        "fibro_definition",
        "fibro_symptoms",
        "treatment_overview",
        "treatment_medications",
        "treatment_physical_therapy",
        "treatment_cbt",
        "treatment_lifestyle",
        "ketamine_overview",
        "ketamine_mechanism",
        "ketamine_onset",
        "ketamine_duration",
        "ketamine_regimen",
        "ketamine_side_effects",
        "ketamine_vs_traditional",
        "ketamine_evidence",
        "ketamine_candidacy",
        "ketamine_session_experience",
        "cost_insurance",
    }
)
RELATED_FAQ_MIN_CONFIDENCE = 0.08


def related_faq(intent_ranking: list[dict]) -> str | None:
    """The general FAQ topic closest to a personal question, when the classifier sees one."""
    for candidate in intent_ranking:
        name = candidate.get("name")
        if name in FAQ_INTENTS:
            return name if candidate.get("confidence", 0.0) >= RELATED_FAQ_MIN_CONFIDENCE else None
    return None


def confirmation_prompt(intent: str) -> dict:
    """The first fallback stage: the best guess in plain words, with buttons to answer."""
    return {
        "text": f"Sorry, I'm not sure I understood. Did you mean {TOPIC_LABELS[intent]}?",
        "buttons": [
            {"title": "Yes", "payload": f"/{intent}"},
            {"title": "No, something else", "payload": "/deny"},
            {"title": "Talk to a person", "payload": "/request_human"},
        ],
    }
