import pytest
import spacy

from clinic.nlu.spacy_model import build, ruler_patterns, shorthand_lemmas

SOURCE = {
    "medication": ["lyrica", "low dose naltrexone"],
    "clinic": {"Irvine": ["irvine clinic"]},
}


def test_patterns_are_lowercase_token_patterns_with_clinic_ids():
    patterns = ruler_patterns(SOURCE, ["Laguna Niguel"])
    assert {
        "label": "medication",
        "pattern": [{"LOWER": "low"}, {"LOWER": "dose"}, {"LOWER": "naltrexone"}],
    } in patterns
    assert {
        "label": "clinic",
        "pattern": [{"LOWER": "irvine"}, {"LOWER": "clinic"}],
        "id": "Irvine",
    } in patterns


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    folder = tmp_path_factory.mktemp("src")
    source, gazetteer, shorthand = folder / "entities.yml", folder / "places.csv", folder / "shorthand.yml"
    source.write_text(
        "medication: [lyrica, low dose naltrexone]\nclinic:\n  Irvine: [irvine clinic]\n", encoding="utf-8"
    )
    gazetteer.write_text(
        "kind,name,city,latitude,longitude,source\nplace,Irvine,Irvine,33.68,-117.79,t\n"
        "place,Laguna Niguel,Laguna Niguel,33.52,-117.7,t\nzip,92618,Irvine,33.6,-117.7,t\n",
        encoding="utf-8",
    )
    shorthand.write_text("u: you\nb4: before\nbp: blood pressure\n", encoding="utf-8")
    return spacy.load(build(source, tmp_path_factory.mktemp("model") / "en_test", gazetteer, shorthand))


def test_built_pipeline_finds_medications_places_and_clinics(nlp):
    doc = nlp("I live in Laguna Niguel and take LYRICA, is the Irvine clinic open?")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("Laguna Niguel", "city", ""),
        ("LYRICA", "medication", ""),
        ("Irvine clinic", "clinic", "Irvine"),
    ]


def test_built_pipeline_lemmatizes_from_the_lookup_table(nlp):
    assert [t.lemma_ for t in nlp("infusions hurts")] == ["infusion", "hurt"]


def test_shorthand_lemmas_cover_the_casings_people_type():
    assert shorthand_lemmas({"pt": "physical therapy"}) == {
        "pt": "physical therapy",
        "Pt": "physical therapy",
        "PT": "physical therapy",
    }


def test_built_pipeline_lemmatizes_chat_shorthand(nlp):
    assert [t.lemma_ for t in nlp("can U check my bp b4 infusions")] == [
        "can",
        "you",
        "check",
        "my",
        "blood pressure",
        "before",
        "infusion",
    ]
