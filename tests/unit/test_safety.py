"""The crisis lexicon: every entry fires, its negation does not, and pain talk never does."""

import pytest

from clinic.safety import cached_lexicon, normalise, screen

LEXICON = cached_lexicon()


@pytest.mark.parametrize("entry", LEXICON, ids=lambda e: e.id)
def test_every_entry_fires_on_its_example(entry):
    match = screen(entry.example)
    assert match is not None, entry.example
    assert entry.pattern.search(normalise(entry.example))


@pytest.mark.parametrize("entry", LEXICON, ids=lambda e: e.id)
def test_every_entry_is_cancelled_by_its_negation(entry):
    assert screen(entry.negated) is None, entry.negated


def test_lexicon_covers_english_and_spanish_in_every_category():
    covered = {(e.category, e.language) for e in LEXICON}
    for category in ("suicidal_intent", "self_harm", "overdose", "medical_emergency"):
        assert (category, "en") in covered and (category, "es") in covered


ORDINARY_PAIN = [
    "this pain is killing me",
    "my back is killing me today",
    "fibro is literally killing me, what helps?",
    "I'm dying to know how much ketamine costs",
    "I'm dead tired all the time",
    "I feel like death warmed over after a flare",
    "my legs are killing me after physical therapy",
    "I can't take this pain anymore, what are my options?",
    "the fatigue is unbearable",
    "I'm sick and tired of being sick and tired",
    "my neck hurts so bad I could scream",
    "the pain is so bad I cried at work",
    "I hurt all over and nothing helps",
    "I'm exhausted and sore every single day",
    "my joints ache and I can barely move in the morning",
    "this flare is brutal",
    "I feel like I'm falling apart",
    "the burning in my arms is driving me crazy",
    "my head is pounding from a migraine",
    "I hurt myself lifting a box at work last year",
    "I'm dying for a good night's sleep",
    "the side effects of lyrica were killing me",
    "I overdid it at the gym and now I'm in agony",
    "my pain is a 9 out of 10 today",
    "gabapentin makes me feel like a zombie",
    "I'm so done with this pain",
    "fibro fog is killing my productivity",
    "I feel crushed by the fatigue",
    "stabbing pain in my shoulders every night",
    "the pain takes my breath away sometimes",
    "my doctor says I have fibromyalgia and I'm devastated",
    "I can't breathe a word of this to my boss",
    "what does ketamine do for depression?",
    "my chest feels tight when I'm anxious, is that fibro?",
    "my hands go numb and tingly",
    "I could die of embarrassment when I limp",
    "I'm at the end of my rope with this pain",
    "the pain wakes me up every night",
    "I want to die laughing at how bad my luck is",
    "I'd kill for one pain free day",
    "my sister would kill me if I missed her wedding because of a flare",
    "ketamine nearly knocked me out at the dentist once",
    "I take too many pills already, is there something else?",
    "I'm heartbroken that I can't play with my kids",
    "it feels like my muscles are on fire",
    "the cold makes everything hurt worse",
    "I'm worn out from fighting my insurance",
    "I'm afraid the infusions will make me pass out, do they?",
    "I feel hopeless about ever finding the right doctor",
    "sleeping is hell when everything aches",
    "I'm collecting my meds from the pharmacy tomorrow",
    "should I take it all at the same time or spread the doses out?",
]


def test_there_are_at_least_fifty_ordinary_pain_sentences():
    assert len(ORDINARY_PAIN) >= 50


@pytest.mark.parametrize("sentence", ORDINARY_PAIN)
def test_ordinary_pain_talk_is_not_a_crisis(sentence):
    assert screen(sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm not suicidal but I took too many pills",
        "this pain is killing me and I want to kill myself",
        "I KEEP THINKING ABOUT ENDING MY LIFE",
        "I don\u2019t want to live anymore",
        "Quiero morirme, ya no aguanto el dolor",
        "tomé demasiadas pastillas",
        "me siento sin esperanza y pienso en el suicidio",
    ],
)
def test_real_crises_are_caught_in_mixed_and_folded_text(sentence):
    assert screen(sentence) is not None


def test_empty_text_is_not_a_crisis():
    assert screen("") is None and screen(None) is None


# A negation that belongs to the hopeless phrase itself ("I don't know how much longer...") used
# to cancel it, and with it the model's say: the message got no reply at all.
@pytest.mark.parametrize(
    "sentence",
    [
        "honestly i don't know how much longer i can go on with this",
        "no sé cuánto más voy a aguantar así",
        "i don't think i can keep going after this flare",
        "idk how much longer i can last",
    ],
)
def test_a_negation_inside_a_hopeless_phrase_does_not_cancel_it(sentence):
    match = screen(sentence)
    assert match is not None and match.category == "possible_crisis", sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "tuve una reacción alérgica a la penicilina, lo pongo en el formulario",
        "mi tío tuvo una sobredosis cuando yo era niña y me dan miedo los opioides",
        "quiero morirme de la risa contigo, gracias por el chiste",
        "ya me tomé todas mis pastillas de la noche, ¿puedo cenar?",
        "me tomé todas las de hoy a su hora",
        "the world doesnt need another waiting room like yours lol",
    ],
)
def test_past_events_idioms_and_the_usual_dose_are_no_crisis(sentence):
    assert screen(sentence) is None, sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "me tomé todas las pastillas que me quedaban",
        "creo que tuve una sobredosis hace un rato",
        "honestly everybody would be better off w/o me",
        "my sister is talking about killing herself",
        "mi cuñado dice que hoy se mata",
        "the world doesnt need me",
        "dolor fuerte en el pecho y no se me quita",
        "just loaded my husband's gun",
        "dosis mortal de gabapentina",
    ],
)
def test_sideways_plans_wishes_and_emergencies_are_caught(sentence):
    assert screen(sentence) is not None, sentence


def test_a_plan_said_as_how_and_when_is_caught_but_not_instructions():
    assert screen("i already know how and when").category == "suicidal_intent"
    assert screen("ya sé cómo y cuándo, nomás quería avisar") is not None
    assert screen("now I know how and when to use the patch") is None
    assert screen("ya sé cómo y cuándo tomarlas, gracias") is None


def test_an_event_last_week_that_is_over_is_no_crisis():
    assert screen("my sister passed out last week at the dentist, she's fine") is None
    assert screen("mi papá se desmayó la semana pasada pero ya está bien") is None


def test_someone_cut_while_cooking_is_no_crisis_but_cutting_is():
    assert screen("mi nieto se cortó el dedo pelando papas, ¿lo llevo?") is None
    assert screen("mi hija se cortó los brazos otra vez") is not None
