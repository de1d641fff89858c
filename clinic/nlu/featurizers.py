"""Rasa's count-vector featurizer, without the per-token features nothing here reads.

Rasa's ``CountVectorsFeaturizer`` gives every message two sets of features: one row per token
(sequence features, read only by TensorFlow components such as DIET and TED) and one row for
the whole text (sentence features). This assistant's classifier reads the sentence features
alone, so computing the token rows cost about 6% of the server's CPU per message for nothing
(``make bench``). This featurizer learns the same vocabularies with Rasa's code and gives the
same sentence features; it gives no sequence features, so a TensorFlow component placed after
it would find none.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from scipy.sparse import spmatrix


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
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
            features = vectorizer.transform([" ".join(tokens)])
            features.sort_indices()
            sentence_features.append(features.tocoo())
        return [None] * len(all_tokens), sentence_features
