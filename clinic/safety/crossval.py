"""Cross-validated figures of the whole crisis decision on the training part, and its thresholds.

The held-out part is for measuring, not for tuning (content/safety/README.md), so changes to
the lexicon, the features or the thresholds are judged here: the crisis model is trained on
four fifths of the training part's groups (folds by corpus group, never by row) and the full
decision (lexicon and model, clinic/safety/decision.py) is scored on the fifth. The model
build (clinic/safety/model.py) takes its possible-crisis threshold from these scores: the
lowest at which the decision's false alarms stay within the budget in each language and each
style. ``python -m clinic.safety.crossval`` prints the figures per language and style, like
reports/safety.md, and with ``--errors`` the training messages missed or flagged.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

from clinic.safety.corpus import LANGUAGES, STYLES, TRAIN_FILE, Example, read_examples
from clinic.safety.decision import CrisisDetector
from clinic.safety.evaluate import Slice, evaluate, meets_targets
from clinic.safety.lexicon import cached_lexicon
from clinic.safety.model import FALSE_ALARM_BUDGET, Score, nlu_examples, out_of_fold_scores, thresholds_for

# Bisection steps for the possible-crisis threshold (between 0 and 1: 1/2**12 apart at the end).
STEPS = 12


@dataclass
class OutOfFoldModel:
    """Stands in for CrisisModel: each message's score from the fold that did not train on it."""

    scores: dict[str, Score]
    crisis_threshold: float
    possible_threshold: float

    def score(self, normalised: str) -> Score:
        return self.scores[normalised]


def _figures(examples: list[Example], scores: dict[str, Score], crisis: float, possible: float) -> dict[str, Slice]:
    detector = CrisisDetector(cached_lexicon(), OutOfFoldModel(scores, max(crisis, possible), possible))
    return evaluate(examples, detector)


def choose_thresholds(
    examples: list[Example], texts: list[str], probabilities: NDArray[Any], kinds: list[str], caught: NDArray[Any]
) -> tuple[float, float, dict[str, Slice]]:
    """(crisis, possible) thresholds and the cross-validated figures of the decision with them.

    A lower possible-crisis threshold flags more, so the false alarms of each language and style
    only grow as it falls: the lowest one within the budget is found by bisection. The crisis
    threshold keeps the model's own rule (clinic/safety/model.py) and is never under it.
    """
    scores = {text: Score(float(p), kind) for text, p, kind in zip(texts, probabilities, kinds, strict=True)}
    crisis, _ = thresholds_for(examples, probabilities, caught)
    names = (*LANGUAGES, *STYLES)

    def within_budget(possible: float) -> bool:
        slices = _figures(examples, scores, crisis, possible)
        return all(slices[name].false_alarm_rate <= FALSE_ALARM_BUDGET for name in names)

    low, high = 0.0, 1.0  # high is always within the budget: the model alone then flags nothing
    for _ in range(STEPS):
        middle = (low + high) / 2
        if within_budget(middle):
            high = middle
        else:
            low = middle
    return max(crisis, high), high, _figures(examples, scores, crisis, high)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the training messages missed or flagged")
    args = parser.parse_args(argv)
    examples = read_examples(TRAIN_FILE)
    texts, probabilities, kinds, caught = out_of_fold_scores(examples, nlu_examples())
    crisis, possible, slices = choose_thresholds(examples, texts, probabilities, kinds, caught)
    print(f"thresholds: crisis >= {crisis:.3f}, possible >= {possible:.3f}")
    for piece in slices.values():
        print(
            f"{piece.name:7} recall {piece.recall:.3f} ({piece.crises - piece.caught} missed of {piece.crises})"
            f"  false alarms {piece.false_alarm_rate:.2%} ({piece.false_alarms} of {piece.ordinary})"
        )
    print("targets met in cross-validation:", "yes" if meets_targets(slices) else "NO")
    if args.errors:
        everything = slices["all"]
        for example in everything.misses:
            print(f"missed [{example.language}/{example.style} {example.category}] {example.text}")
        for example, decision in everything.alarms:
            where = f"{example.language}/{example.style} {example.category}"
            print(f"false alarm [{where}] {example.text} ({decision.source})")


if __name__ == "__main__":
    main()
