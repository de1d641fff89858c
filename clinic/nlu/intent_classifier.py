"""A linear intent classifier over Rasa's sparse features, tuned for this FAQ.

Rasa's LogisticRegressionClassifier fixes the regularisation at C=1 on raw counts and fails
on a message without features (empty text). This one weights the counts by TF-IDF
(sublinear), lets config.yml set C, and scores a featureless message as all zeros, so it
falls to the fallback instead of raising. A message of punctuation alone ("??", "...", ":-)")
counts as featureless: its character n-grams would otherwise match the punctuation of some
FAQ's examples and answer a question nobody asked. Symbols are content ("$$$?", "👍").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

# The TF-IDF step keeps its weights as a sparse diagonal matrix; nothing else is trusted.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]


def sentence_counts(message: Message) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The message's sparse sentence features of its text, side by side: columns, counts, width.

    The same row as Rasa's ``message.get_sparse_features(TEXT)[1]``, which also combines the
    much larger sequence features and deep-copies both on every call.
    """
    parts = [
        feature.features.tocoo()
        for feature in message.features
        if feature.attribute == TEXT and feature.is_sparse() and feature.type == FEATURE_TYPE_SENTENCE
    ]
    if not parts:
        return None
    offsets = np.cumsum([0] + [part.shape[1] for part in parts[:-1]])
    columns = np.concatenate([part.col + offset for part, offset in zip(parts, offsets, strict=True)])
    counts = np.concatenate([part.data for part in parts]).astype(np.float64)
    return columns, counts, sum(part.shape[1] for part in parts)


def sentence_features(message: Message) -> csr_matrix | None:
    """``sentence_counts`` as a one-row sparse matrix."""
    found = sentence_counts(message)
    if found is None:
        return None
    columns, counts, width = found
    return csr_matrix((counts, (np.zeros(len(columns), dtype=int), columns)), shape=(1, width))


@dataclass(frozen=True)
class LinearScorer:
    """The trained TF-IDF + multinomial logistic regression, as its arithmetic.

    ``pipeline.predict_proba`` gives the same probabilities, but validates its input at every
    step and, with scikit-learn's row-ordered weights, copies all of them (classes times
    features) for every message: about 4 ms a message here, more than the rest of the NLU.
    """

    idf: np.ndarray
    weights: np.ndarray  # features x classes, rows contiguous
    intercept: np.ndarray
    classes: np.ndarray

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> LinearScorer:
        tfidf, classifier = pipeline.named_steps["tfidf"], pipeline.named_steps["classifier"]
        if not (tfidf.sublinear_tf and tfidf.use_idf and tfidf.norm == "l2" and len(classifier.classes_) > 2):
            raise ValueError("LinearScorer computes sublinear, l2-normalised TF-IDF and a multinomial model")
        # Column order, so that the transpose is row-contiguous and shares the pipeline's memory.
        classifier.coef_ = np.asfortranarray(classifier.coef_)
        return cls(tfidf.idf_, classifier.coef_.T, classifier.intercept_, classifier.classes_)

    def probabilities(self, columns: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """The probability of each class for one message: the columns of its features (each once) and their counts.

        As ``pipeline.predict_proba`` computes it, without building sparse matrices: for one short
        message, scipy's construction and checks cost more than the arithmetic.
        """
        weighted = (np.log(counts) + 1) * self.idf[columns]
        norm = np.sqrt(weighted @ weighted)
        if norm > 0:
            weighted /= norm
        scores = weighted @ self.weights[columns] + self.intercept
        exponentials = np.exp(scores - scores.max())
        return exponentials / exponentials.sum()


def has_content(text: str) -> bool:
    """True when ``text`` holds more than punctuation, spaces and control characters."""
    return any(unicodedata.category(character)[0] not in "PZC" for character in text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "max_iter": 3000, "ranking_length": 10, "random_state": 42}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline
        self.scorer = LinearScorer.from_pipeline(pipeline) if pipeline is not None else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _features(self, message: Message) -> csr_matrix:
        features = sentence_features(message)
        if features is not None and has_content(message.get(TEXT) or ""):
            return features
        return csr_matrix((1, 0))

    def _probabilities(self, message: Message) -> np.ndarray:
        found = sentence_counts(message)
        if found is None or not has_content(message.get(TEXT) or ""):
            found = np.zeros(0, dtype=int), np.zeros(0), 0
        columns, counts, _ = found
        return self.scorer.probabilities(columns, counts)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and has_content(e.get(TEXT) or "")]
        if not examples:
            return self._resource
        X = vstack([self._features(e) for e in examples])
        y = [e.get(INTENT) for e in examples]
        self.pipeline = Pipeline(
            [
                ("tfidf", TfidfTransformer(sublinear_tf=True)),
                (
                    "classifier",
                    LogisticRegression(
                        C=self.config["C"],
                        max_iter=self.config["max_iter"],
                        class_weight="balanced",
                        random_state=self.config["random_state"],
                    ),
                ),
            ]
        )
        self.pipeline.fit(X, y)
        self.persist()
        self.scorer = LinearScorer.from_pipeline(self.pipeline)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.scorer is None:
            return messages
        intents = self.scorer.classes
        for message in messages:
            scores = self._probabilities(message)
            order = np.argsort(-scores)[: self.config["ranking_length"]]
            ranking = [{"name": str(intents[i]), "confidence": float(scores[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.pipeline, model_dir / "intent_classifier.skops")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        with model_storage.read_from(resource) as model_dir:
            path = model_dir / "intent_classifier.skops"
            untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
            if untrusted:
                raise ValueError(f"untrusted types in the saved intent classifier: {sorted(untrusted)}")
            pipeline = sio.load(path, trusted=TRUSTED_TYPES)
        return cls(config, model_storage, resource, pipeline)
