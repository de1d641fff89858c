"""The crisis model: a binary classifier of its own, trained on the safety corpus.

Not one intent among the FAQ's: it answers only "is someone in danger?" (a probability with
its own two thresholds, crisis and possible crisis) and, for a crisis, which kind. Features
are TF-IDF character n-grams (typos, disguised spellings, Spanish inflections) and word
uni/bigrams over the normalised text (clinic/safety/normalise.py); logistic regression.

Built at build time (``make crisis-model``, like the spaCy pipeline) from the training part of
the corpus plus the intent examples of data/nlu.yml as ordinary traffic; the held-out part is
never read here. The thresholds come from out-of-fold scores on the training part (folds by
corpus group), so tuning never sees the held-out part either. Serving does not use sklearn's
matrices: a message's n-grams are looked up in a dict and dotted with the weights, the same
arithmetic as sklearn's ``predict_proba`` (a test checks it), in well under a millisecond.
"""

from __future__ import annotations

import argparse
import math
import pickle
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from clinic.safety.corpus import TRAIN_FILE, Example, read_examples
from clinic.safety.normalise import normalise

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "build" / "crisis" / "model.pkl"
NLU_FILE = ROOT / "data" / "nlu.yml"
# Vectorizer settings, shared by training and serving (which rebuilds sklearn's analyzers).
VECTORIZERS: tuple[dict[str, Any], ...] = (
    {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "sublinear_tf": True},
    {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1, "sublinear_tf": True, "token_pattern": r"(?u)\b\w+\b"},
)
C = 30.0
# The share of ordinary messages (among those the lexicon lets through) the thresholds may flag
# in cross-validation; the rest of the error budget of 1% is kept for unseen wording.
FALSE_ALARM_BUDGET = 0.01
FOLDS = 5


@dataclass(frozen=True)
class Score:
    probability: float
    kind: str  # the most likely outcome among the crisis kinds and possible_crisis


@dataclass
class CrisisModel:
    vocabularies: list[dict[str, int]]
    idf: list[NDArray[Any]]
    coef: NDArray[Any]  # binary: one weight per feature, all vectorizers side by side
    intercept: float
    kinds: list[str]
    kind_coef: NDArray[Any]  # (kinds, features)
    kind_intercept: NDArray[Any]
    crisis_threshold: float
    possible_threshold: float

    def __post_init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._analyzers = [
            TfidfVectorizer(
                **{k: v for k, v in settings.items() if k in ("analyzer", "ngram_range", "token_pattern")}
            ).build_analyzer()
            for settings in VECTORIZERS
        ]
        self._offsets = np.cumsum([0] + [len(vocabulary) for vocabulary in self.vocabularies[:-1]])

    def state(self) -> dict[str, Any]:
        """The model as plain values (dicts, arrays, numbers), as it is saved."""
        return {name: value for name, value in self.__dict__.items() if not name.startswith("_")}

    def features(self, normalised: str) -> tuple[NDArray[Any], NDArray[Any]]:
        """Column indices and TF-IDF values of one normalised message (each vectorizer l2-normed)."""
        columns: list[int] = []
        values: list[float] = []
        for analyzer, vocabulary, idf, offset in zip(
            self._analyzers, self.vocabularies, self.idf, self._offsets, strict=True
        ):
            counts = Counter(term for term in analyzer(normalised) if term in vocabulary)
            if not counts:
                continue
            part = [
                (vocabulary[term], (1.0 + math.log(count)) * idf[vocabulary[term]]) for term, count in counts.items()
            ]
            norm = math.sqrt(sum(value * value for _, value in part))
            columns.extend(int(offset) + index for index, _ in part)
            values.extend(value / norm for _, value in part)
        return np.asarray(columns, dtype=np.int64), np.asarray(values)

    def score(self, normalised: str) -> Score:
        columns, values = self.features(normalised)
        logit = float(self.coef[columns] @ values) + self.intercept if len(columns) else self.intercept
        probability = 1.0 / (1.0 + math.exp(-logit))
        kind_logits = (self.kind_coef[:, columns] @ values if len(columns) else 0.0) + self.kind_intercept
        return Score(probability, self.kinds[int(np.argmax(kind_logits))])


def nlu_examples(path: Path = NLU_FILE) -> list[str]:
    """The intent examples of data/nlu.yml except the safety intents': ordinary FAQ traffic."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts: list[str] = []
    for block in data.get("nlu", []):
        if block.get("intent") in (None, "crisis", "possible_crisis"):
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                # Entity annotations "[Lyrica](medication)" become their text.
                texts.append(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line[2:]))
    return texts


def vectorize(texts: list[str], vectorizers: list[Any] | None = None) -> tuple[Any, list[Any]]:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    if vectorizers is None:
        vectorizers = [TfidfVectorizer(lowercase=False, dtype=np.float64, **settings) for settings in VECTORIZERS]
        matrix = hstack([vectorizer.fit_transform(texts) for vectorizer in vectorizers]).tocsr()
    else:
        matrix = hstack([vectorizer.transform(texts) for vectorizer in vectorizers]).tocsr()
    return matrix, vectorizers


def fit_models(texts: list[str], flagged: NDArray[Any], kinds: list[str]) -> tuple[list[Any], Any, Any]:
    from sklearn.linear_model import LogisticRegression

    matrix, vectorizers = vectorize(texts)
    binary = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(matrix, flagged)
    kind_rows = np.flatnonzero(flagged)
    kind = LogisticRegression(C=C, max_iter=5000).fit(matrix[kind_rows], [kinds[i] for i in kind_rows])
    return vectorizers, binary, kind


def thresholds(
    probabilities: NDArray[Any], flagged: NDArray[Any], caught_by_lexicon: NDArray[Any]
) -> tuple[float, float]:
    """(crisis, possible) thresholds from the model's out-of-fold scores of what the lexicon lets through.

    The possible-crisis one is as low as the false-alarm budget allows, the crisis one spends
    half of it and is never under 0.5. The build keeps the crisis one and takes the
    possible-crisis one from the whole decision instead (clinic/safety/crossval.py).
    """

    def allowing(share: float) -> float:
        ordinary = np.sort(probabilities[~flagged & ~caught_by_lexicon])[::-1]
        if not len(ordinary):
            return 0.5
        return float(ordinary[int(math.floor(len(ordinary) * share))]) + 1e-6

    return max(0.5, allowing(FALSE_ALARM_BUDGET / 2)), allowing(FALSE_ALARM_BUDGET)


def _training_set(examples: list[Example], extra_negatives: list[str]) -> tuple[list[str], NDArray[Any], list[str]]:
    texts = [normalise(example.text) for example in examples] + [normalise(text) for text in extra_negatives]
    flagged = np.array([example.flagged for example in examples] + [False] * len(extra_negatives))
    kinds = [example.outcome for example in examples] + ["none"] * len(extra_negatives)
    return texts, flagged, kinds


def out_of_fold_scores(
    examples: list[Example], extra_negatives: list[str]
) -> tuple[list[str], NDArray[Any], list[str], NDArray[Any]]:
    """Each corpus example's normalised text, out-of-fold probability and kind, and lexicon catch.

    Folds by corpus group (the intent examples spread over 50 groups of their own), so a
    message is scored by a model that saw nothing of its group.
    """
    from sklearn.model_selection import GroupKFold

    from clinic.safety.lexicon import screen

    texts, flagged, kinds = _training_set(examples, extra_negatives)
    groups = [example.group for example in examples] + [f"nlu-{i % 50}" for i in range(len(extra_negatives))]
    probabilities = np.zeros(len(texts))
    predicted: list[str] = ["none"] * len(texts)
    for train_rows, test_rows in GroupKFold(n_splits=FOLDS).split(texts, flagged, groups):
        vectorizers, binary, kind = fit_models(
            [texts[i] for i in train_rows], flagged[train_rows], [kinds[i] for i in train_rows]
        )
        matrix, _ = vectorize([texts[i] for i in test_rows], vectorizers)
        probabilities[test_rows] = binary.predict_proba(matrix)[:, 1]
        for row, name in zip(test_rows, kind.predict(matrix), strict=True):
            predicted[row] = str(name)
    caught = np.array([screen(example.text) is not None for example in examples])
    size = len(examples)
    return texts[:size], probabilities[:size], predicted[:size], caught


def thresholds_for(examples: list[Example], probabilities: NDArray[Any], caught: NDArray[Any]) -> tuple[float, float]:
    return thresholds(probabilities, np.array([example.flagged for example in examples]), caught)


def train(examples: list[Example], extra_negatives: list[str]) -> CrisisModel:
    from clinic.safety.crossval import choose_thresholds

    scores = out_of_fold_scores(examples, extra_negatives)
    crisis_threshold, possible_threshold, _ = choose_thresholds(examples, *scores)
    texts, flagged, kinds = _training_set(examples, extra_negatives)
    vectorizers, binary, kind = fit_models(texts, flagged, kinds)
    return CrisisModel(
        vocabularies=[dict(vectorizer.vocabulary_) for vectorizer in vectorizers],
        idf=[vectorizer.idf_.astype(np.float64) for vectorizer in vectorizers],
        coef=binary.coef_[0].astype(np.float64),
        intercept=float(binary.intercept_[0]),
        kinds=[str(name) for name in kind.classes_],
        kind_coef=kind.coef_.astype(np.float64),
        kind_intercept=kind.intercept_.astype(np.float64),
        crisis_threshold=crisis_threshold,
        possible_threshold=possible_threshold,
    )


def save(model: CrisisModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(model.state(), protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)


def load(path: Path = DEFAULT_MODEL) -> CrisisModel:
    """The built model (a file this project's build wrote; never one from elsewhere)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make crisis-model`")
    return CrisisModel(**pickle.loads(path.read_bytes()))


@lru_cache(maxsize=2)
def cached_model(path: Path = DEFAULT_MODEL) -> CrisisModel:
    return load(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Builds the crisis model from the corpus's training part.")
    parser.add_argument("--train", type=Path, default=TRAIN_FILE)
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    model = train(read_examples(args.train), nlu_examples())
    save(model, args.output)
    print(
        f"crisis model: {sum(len(v) for v in model.vocabularies)} features, "
        f"crisis >= {model.crisis_threshold:.3f}, possible >= {model.possible_threshold:.3f} -> {args.output}"
    )


if __name__ == "__main__":
    main()
