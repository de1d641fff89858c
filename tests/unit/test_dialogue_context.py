"""Follow-ups: recognised by their shape, resolved against the conversation's context."""

import pytest

from clinic.conversation.context import Context, aspect_asked, is_follow_up, load_table, resolve, subject_named

KETAMINE = Context(topic="ketamine_overview", subject="ketamine")
FIBRO = Context(topic="fibro_definition", subject="fibromyalgia")
MEDICINES = Context(topic="treatment_medications", subject="medications")
IRVINE = Context(topic="clinic_locations", subject="clinic", clinic="Irvine")
HOURS_SATURDAY = Context(topic="clinic_hours", subject="clinic", day="saturday")
CLINIC_ENTITY = [{"entity": "clinic", "value": "Laguna Hills"}]


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("and what does it do to the bladder?", []),
        ("does that hurt?", []),
        ("parking?", []),
        ("how would I get there on the bus", []),
        ("what about next friday", []),
        ("laguna hills?", CLINIC_ENTITY),
        ("92656", []),
        ("y para adolescentes?", []),
    ],
)
def test_short_messages_leaning_on_the_conversation_are_follow_ups(text, entities):
    assert is_follow_up(text, "nlu_fallback", 0.3, entities)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what is fibromyalgia exactly", "fibro_definition"),
        ("how long does a ketamine infusion take", "ketamine_session_experience"),
        ("that's all, thanks", "thank_you"),
        ("yes that works", "affirm"),
        ("I have had widespread pain for years and my doctor thinks it might be fibro, what is it", "fibro_definition"),
    ],
)
def test_messages_that_say_what_they_are_about_are_not_follow_ups(text, intent):
    assert not is_follow_up(text, intent, 0.9, [])


@pytest.mark.parametrize(
    ("text", "context", "answer"),
    [
        ("how long does the relief hold up?", KETAMINE, "utter_ketamine_duration"),
        ("side effects?", KETAMINE, "utter_ketamine_side_effects"),
        ("would my plan cover that", KETAMINE, "utter_cost_insurance"),
        ("and for children?", KETAMINE, "answer_ketamine_kids"),
        ("what brings it on?", FIBRO, "answer_fibro_causes"),
        ("is it hereditary", FIBRO, "answer_fibro_causes"),
        ("and for kids?", FIBRO, "answer_fibro_kids"),
        ("and their side effects?", MEDICINES, "answer_medication_side_effects"),
        ("how fast do they kick in", MEDICINES, "answer_medication_onset"),
        ("and what about with ketamine?", MEDICINES, "utter_ketamine_overview"),
    ],
)
def test_a_follow_up_gets_the_answer_its_subject_and_aspect_pick(text, context, answer):
    resolution = resolve(text, None, None, False, context)
    assert (resolution.kind, resolution.name) == ("answer", answer)


def test_a_new_subject_keeps_the_aspect_of_the_previous_answer():
    after_side_effects = Context(topic="ketamine_side_effects", subject="ketamine")
    resolution = resolve("and for lyrica?", None, None, False, after_side_effects)
    assert resolution.name == "answer_medication_side_effects"
    assert resolution.slots == {"subject": "medications"}


def test_the_classifiers_reading_of_a_follow_up_gives_the_aspect_when_its_words_do_not():
    assert resolve("what is it like?", "ketamine_session_experience", None, False, KETAMINE).name == (
        "utter_ketamine_overview"
    ), "the session answer has no aspect; the previous topic's does"
    assert resolve("and in the long run?", "ketamine_duration", None, False, KETAMINE).name == "utter_ketamine_duration"


def test_clinic_follow_ups_use_the_clinic_and_day_in_context():
    parking = resolve("is there parking?", None, None, False, IRVINE)
    assert (parking.kind, parking.name, parking.clinic) == ("clinic", "clinic_parking", "Irvine")
    train = resolve("can I get there by train?", None, None, False, IRVINE)
    assert (train.name, train.clinic) == ("clinic_transit", "Irvine")
    other = resolve("and laguna hills?", None, "Laguna Hills", False, HOURS_SATURDAY)
    assert (other.name, other.clinic, other.day_text) == ("clinic_hours", "Laguna Hills", "saturday")
    assert other.slots["clinic_context"] == "Laguna Hills"
    tomorrow = resolve("what about tomorrow", None, None, False, IRVINE)
    assert (tomorrow.name, tomorrow.clinic, tomorrow.day_text) == ("clinic_hours", "Irvine", "what about tomorrow")
    assert tomorrow.slots["day_asked"] == "tomorrow"


def test_a_bare_place_after_a_location_question_asks_for_the_nearest_clinic():
    resolution = resolve("tustin", None, None, True, Context(topic="clinic_locations", subject="clinic"))
    assert (resolution.kind, resolution.name, resolution.clinic) == ("clinic", "clinic_locations", None)


def test_a_follow_up_without_usable_context_gets_a_question_back_not_a_guess():
    assert resolve("how long does it last?", "ketamine_duration", None, False, Context()).kind == "clarify"
    assert resolve("and for kids?", None, None, False, Context()).name == "clarify_subject"
    assert resolve("is there parking?", None, None, False, Context()).name == "clarify_clinic"
    unknown_aspect = resolve("what colour is it?", None, None, False, Context(subject="exercise"))
    assert (unknown_aspect.kind, unknown_aspect.name) == ("clarify", "clarify_aspect")


def test_cost_needs_no_subject_because_its_answer_covers_every_treatment():
    assert resolve("is it covered by insurance?", None, None, False, Context()).name == "utter_cost_insurance"


def test_every_answer_the_table_names_exists_in_the_domain_or_the_messages(domain):
    from clinic.messages import load_messages

    table = load_table()
    names = {name for aspects in table.answers.values() for name in aspects.values()}
    missing = {n for n in names if n not in domain["responses"] and n not in load_messages()}
    assert missing == set()
    assert subject_named("my LYRICA dose") == "medications"
    assert aspect_asked("any side-effects?") == "side_effects"


def test_a_misspelt_subject_is_still_named():
    assert subject_named("ketamin sied efects, r they bad") == "ketamine"
    assert subject_named("what about cymbalt") == "medications"
    assert subject_named("where do you live") is None


def test_a_confident_classifier_fills_what_a_follow_up_without_it_or_that_leaves_open():
    symptoms = resolve("and the symtoms besides pain?", "fibro_symptoms", None, False, Context(), None, 0.8)
    assert (symptoms.kind, symptoms.name) == ("answer", "utter_fibro_symptoms")
    pacing = resolve(
        "and what about pacing", "treatment_lifestyle", None, False, Context(subject="lifestyle"), None, 0.8
    )
    assert pacing.name == "utter_treatment_lifestyle"
    unsure = resolve("and the symtoms besides pain?", "fibro_symptoms", None, False, Context(), None, 0.3)
    assert unsure.kind == "clarify"
    guessing_it = resolve("how long does it last?", "ketamine_duration", None, False, Context(), None, 0.9)
    assert guessing_it.kind == "clarify", "what 'it' is would be the classifier's guess"
    in_context = Context(subject="lifestyle")
    that_word = resolve(
        "and what about pacing, I keep hearing that word", "treatment_lifestyle", None, False, in_context, None, 0.7
    )
    assert that_word.name == "utter_treatment_lifestyle", "the subject comes from the context, not from the guess"


def test_a_bare_place_in_a_neighbouring_county_is_a_follow_up():
    assert is_follow_up("corona", "out_of_scope", 0.3, [])
    assert is_follow_up("long beach", "nlu_fallback", 0.3, [])
    assert is_follow_up("what are the hours there", "clinic_hours", 0.8, [])


def test_a_location_asked_without_context_gets_the_locations():
    near_me = resolve("is there a location near me", "clinic_locations", None, False, Context())
    assert (near_me.kind, near_me.name, near_me.clinic) == ("clinic", "clinic_locations", None)


def test_a_day_named_in_the_message_is_read_in_its_own_words():
    eve = resolve("xmas eve opening times", None, None, False, Context())
    assert (eve.name, eve.day_text) == ("clinic_hours", "xmas eve opening times")
