"""Groups of similar visitor messages, so a reviewer sees "14 people asked about Medicare".

Messages become TF-IDF vectors of character n-grams within words (robust to typos and to
English and Spanish alike) and are clustered by scikit-learn's agglomerative clustering with
average linkage on cosine distance: two groups merge while their mean distance is under
``distance_threshold`` (REVIEW_GROUP_DISTANCE, 0.85 by default; lower gives tighter groups).
Each group is named by its most characteristic words (word TF-IDF, English stop words removed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_DISTANCE = 0.85


@dataclass(frozen=True)
class Group:
    members: list[int]  # indexes into the messages given, most recent first as given
    keywords: list[str]


def _labels(texts: Sequence[str], distance_threshold: float) -> list[int]:
    if len(texts) == 1:
        return [0]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    if vectors.nnz == 0:
        return [0] * len(texts)
    # scikit-learn 1.1 names the metric "affinity".
    clustering = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance_threshold, affinity="cosine", linkage="average"
    )
    dense = vectors.toarray()
    # A text with no n-gram (a lone emoji) has a zero vector, for which cosine is undefined.
    empty = ~dense.any(axis=1)
    dense[empty, 0] = 1.0
    return [int(label) for label in clustering.fit_predict(dense)]


def _keywords(texts: Sequence[str], members: list[int], top: int) -> list[str]:
    try:
        vectorizer = TfidfVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
        vectors = vectorizer.fit_transform([texts[i] for i in members])
    except ValueError:  # only stop words, numbers or placeholders
        return []
    weights = np.asarray(vectors.sum(axis=0)).ravel()
    terms = vectorizer.get_feature_names_out()
    ranked = sorted(range(len(terms)), key=lambda i: (-weights[i], terms[i]))
    return [str(terms[i]) for i in ranked[:top] if terms[i] not in ("phone", "email", "name")]


def group_messages(texts: Sequence[str], distance_threshold: float = DEFAULT_DISTANCE, top: int = 3) -> list[Group]:
    """Groups of similar ``texts``, largest first (then in the order the texts came)."""
    if not texts:
        return []
    by_label: dict[int, list[int]] = {}
    for index, label in enumerate(_labels(texts, distance_threshold)):
        by_label.setdefault(label, []).append(index)
    groups = [Group(members, _keywords(texts, members, top)) for members in by_label.values()]
    return sorted(groups, key=lambda g: (-len(g.members), g.members[0]))


def most_common(values: Sequence[str]) -> str:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else ""
