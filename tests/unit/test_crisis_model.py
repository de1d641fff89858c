"""The crisis model: serving arithmetic equal to sklearn's, and thresholds from cross-validation."""

import numpy as np
import pytest

from clinic.safety.corpus import Example
from clinic.safety.model import CrisisModel, fit_models, load, save, thresholds, vectorize
from clinic.safety.normalise import normalise

TEXTS = [
    ("i want to kill myself", "suicide_self_harm"),
    ("i took all my pills", "overdose_poisoning"),
    ("i can't breathe", "medical_emergency"),
    ("my husband wants to die", "other_in_danger"),
    ("i can't go on", "possible_crisis"),
    ("how much is an infusion", "none"),
    ("where is the irvine clinic", "none"),
    ("quiero una cita", "none"),
    ("me quiero morir", "suicide_self_harm"),
    ("this pain is killing me", "none"),
]


def small_model():
    texts = [normalise(text) for text, _ in TEXTS]
    flagged = np.array([outcome != "none" for _, outcome in TEXTS])
    vectorizers, binary, kind = fit_models(texts, flagged, [outcome for _, outcome in TEXTS])
    model = CrisisModel(
        vocabularies=[dict(v.vocabulary_) for v in vectorizers],
        idf=[v.idf_ for v in vectorizers],
        coef=binary.coef_[0],
        intercept=float(binary.intercept_[0]),
        kinds=list(kind.classes_),
        kind_coef=kind.coef_,
        kind_intercept=kind.intercept_,
        crisis_threshold=0.5,
        possible_threshold=0.3,
    )
    return model, vectorizers, binary, kind


@pytest.mark.parametrize("text", ["i want to die", "quiero saber el precio", "my wife took pills", "zzz", ""])
def test_serving_scores_equal_sklearns(text):
    model, vectorizers, binary, kind = small_model()
    matrix, _ = vectorize([normalise(text)], vectorizers)
    score = model.score(normalise(text))
    assert score.probability == pytest.approx(binary.predict_proba(matrix)[0, 1], abs=1e-9)
    assert score.kind == kind.predict(matrix)[0]


def test_a_saved_model_loads_as_plain_values(tmp_path):
    model, *_ = small_model()
    save(model, tmp_path / "model.pkl")
    loaded = load(tmp_path / "model.pkl")
    assert loaded.score("i want to die") == model.score("i want to die")


def test_a_missing_model_says_how_to_build_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="make crisis-model"):
        load(tmp_path / "absent.pkl")


def test_thresholds_spend_the_false_alarm_budget_on_what_the_lexicon_lets_through():
    ordinary = np.linspace(0.0, 0.99, 1000)
    probabilities = np.concatenate([ordinary, [0.999]])
    flagged = np.array([False] * 1000 + [True])
    crisis, possible = thresholds(probabilities, flagged, np.zeros(1001, dtype=bool))
    flagged_ordinary = lambda threshold: (ordinary >= threshold).mean()  # noqa: E731
    assert flagged_ordinary(possible) <= 0.01 and flagged_ordinary(crisis) <= 0.005
    assert crisis >= 0.5 and possible < crisis


def test_examples_are_flagged_unless_their_outcome_is_none():
    assert Example("g", "en", "web", "ambiguous", "possible_crisis", "x").flagged
    assert not Example("g", "en", "web", "ordinary", "none", "x").flagged
