"""The intent classifier: messages that carry no words, and its scoring against scikit-learn's."""

import numpy as np
import pytest
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, random
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from clinic.nlu.intent_classifier import LinearScorer, has_content, sentence_counts, sentence_features


@pytest.mark.parametrize("text", ["??", "?!", "!!!", "...", ":-)"])
def test_punctuation_alone_is_noise_not_a_guess(rest, text):
    """The classifier finds nothing to score (the fallback), and the noise marker names it (issue 17)."""
    parsed = rest.parse(text)
    assert parsed["intent"]["name"] == "noise"
    assert parsed["intent_ranking"][1]["name"] == "nlu_fallback"


def test_a_word_with_punctuation_is_still_understood(rest):
    assert rest.parse("hi??")["intent"]["name"] == "greet"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("??", False), ("", False), (" \t", False), ("é?", True), ("3", True), ("$$$?", True), ("👍", True)],
)
def test_has_content(text, expected):
    assert has_content(text) is expected


def trained_pipeline(features, labels):
    pipeline = Pipeline([("tfidf", TfidfTransformer(sublinear_tf=True)), ("classifier", LogisticRegression())])
    return pipeline.fit(features, labels)


def test_the_scorer_gives_the_pipelines_probabilities():
    counts = random(60, 500, density=0.05, format="csr", random_state=1, data_rvs=lambda n: np.arange(1, n + 1) % 4 + 1)
    pipeline = trained_pipeline(counts, [f"intent_{i % 4}" for i in range(60)])
    expected = pipeline.predict_proba(counts)

    scorer = LinearScorer.from_pipeline(pipeline)

    for row, probabilities in zip(counts, expected, strict=True):
        np.testing.assert_allclose(scorer.probabilities(row.indices, row.data), probabilities, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pipeline.predict_proba(counts), expected, rtol=0, atol=1e-12)
    assert scorer.weights.flags["C_CONTIGUOUS"]
    assert np.shares_memory(scorer.weights, pipeline.named_steps["classifier"].coef_)
    empty = scorer.probabilities(np.zeros(0, dtype=int), np.zeros(0))
    np.testing.assert_allclose(empty, pipeline.predict_proba(csr_matrix((1, 500)))[0], rtol=0, atol=1e-12)


def test_the_scorer_refuses_a_model_it_does_not_compute():
    counts = random(20, 50, density=0.2, format="csr", random_state=2)
    with pytest.raises(ValueError, match="multinomial"):
        LinearScorer.from_pipeline(trained_pipeline(counts, [f"intent_{i % 2}" for i in range(20)]))


def test_sentence_features_are_rasas_combined_sentence_features():
    message = Message(data={TEXT: "how long does ketamine last"})
    for width, seed in [(7, 3), (11, 4), (5, 5)]:
        for feature_type, rows in [(FEATURE_TYPE_SEQUENCE, 5), (FEATURE_TYPE_SENTENCE, 1)]:
            matrix = random(rows, width, density=0.4, format="coo", random_state=seed)
            message.add_features(Features(matrix, feature_type, TEXT, f"featurizer_{seed}"))
    message.add_features(Features(random(1, 3, density=1.0, format="coo"), FEATURE_TYPE_SENTENCE, "intent", "other"))

    expected = message.get_sparse_features(TEXT)[1].features.toarray()

    np.testing.assert_array_equal(sentence_features(message).toarray(), expected)
    columns, counts, width = sentence_counts(message)
    assert width == expected.shape[1]
    np.testing.assert_array_equal(counts, expected[0, columns])
    assert sorted(columns) == list(np.flatnonzero(expected[0]))
    assert sentence_features(Message(data={TEXT: "hi"})) is None
    assert sentence_counts(Message(data={TEXT: "hi"})) is None
