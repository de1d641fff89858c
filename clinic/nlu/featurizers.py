"""Rasa's count-vector featurizer, without the per-token features nothing here reads.

Rasa's ``CountVectorsFeaturizer`` gives every message two sets of features: one row per token
(sequence features, read only by TensorFlow components such as DIET and TED) and one row for
the whole text (sentence features). This assistant's classifier reads the sentence features
alone, so computing the token rows was work for nothing. This featurizer learns the same
vocabularies with Rasa's code and gives the same sentence features; it gives no sequence
features, so a TensorFlow component placed after it would find none.

The sentence row is counted straight from the vectorizer's analyzer and vocabulary. It is the
row scikit-learn's ``CountVectorizer.transform`` gives for the joined tokens, without the
validation and sparse-matrix conversions and checks that, for one short message, cost more
than the counting itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from scipy.sparse import coo_matrix, spmatrix
from scipy.sparse._base import MAXPRINT
from sklearn.feature_extraction.text import CountVectorizer


class SentenceCounter:
    """One fitted vectorizer's sentence row for a text: ``vectorizer.transform([text])``, as coo.

    A vectorizer without a vocabulary (never fitted) raises AttributeError here.
    """

    def __init__(self, vectorizer: CountVectorizer) -> None:
        self.vectorizer = vectorizer
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_

    def row(self, text: str) -> coo_matrix:
        counts = Counter(map(self.vocabulary.get, self.analyze(text)))
        counts.pop(None, None)  # terms outside the vocabulary
        columns = sorted(counts)
        values = [1] * len(columns) if self.vectorizer.binary else [counts[column] for column in columns]
        return unchecked_row(
            np.array(values, dtype=self.vectorizer.dtype), np.array(columns, dtype=np.int32), len(self.vocabulary)
        )


def unchecked_row(values: np.ndarray, columns: np.ndarray, width: int) -> coo_matrix:
    """``coo_matrix((values, (zeros, columns)), shape=(1, width))``, without its checks.

    The checks of the indices' types and bounds cost more than counting a message's terms;
    the columns here are a vocabulary's sorted, distinct indices. The attributes set are the
    ones scipy's constructor sets (tests/test_featurizers.py compares them).
    """
    matrix = coo_matrix.__new__(coo_matrix)
    matrix.__dict__.update(
        _shape=(1, width),
        row=np.zeros(len(columns), dtype=np.int32),
        col=columns,
        data=values,
        has_canonical_format=False,
        maxprint=MAXPRINT,
    )
    return matrix


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    def _sentence_counter(self, attribute: str, vectorizer: CountVectorizer) -> SentenceCounter:
        """The counter of ``vectorizer``, made once (training or loading sets new vectorizers)."""
        counters: dict[str, SentenceCounter] = self.__dict__.setdefault("_sentence_counters", {})
        counter = counters.get(attribute)
        if counter is None or counter.vectorizer is not vectorizer:
            counter = counters[attribute] = SentenceCounter(vectorizer)
        return counter

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[spmatrix | None], list[spmatrix | None]]:
        vectorizer = self.vectorizers.get(attribute)
        sentence_features: list[spmatrix | None] = []
        for tokens in all_tokens:
            if vectorizer is None or not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                sentence_features.append(None)
                continue
            # As Rasa's featurizer: the tokens joined into one text, as one row.
            sentence_features.append(self._sentence_counter(attribute, vectorizer).row(" ".join(tokens)))
        return [None] * len(all_tokens), sentence_features
