"""Summarises ``rasa test nlu --cross-validation`` output as reports/nlu/summary.md.

Besides the whole set, each language on its own: an example's language is the training file it
comes from (data/nlu_es.yml is Spanish, every other NLU file English), and its prediction is
read from the cross-validation's successes and errors (``--successes``; errors are always written).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

SKIPPED_ROWS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
SPANISH_DATA = Path("data/nlu_es.yml")
TARGET_MACRO_F1 = 0.90
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)")


@dataclass(frozen=True)
class LanguageScore:
    language: str
    macro_f1: float
    accuracy: float
    examples: int
    weakest: list[tuple[str, float]]


def spanish_texts(path: Path = SPANISH_DATA) -> set[str]:
    """The plain texts of the Spanish training examples (entity annotations removed)."""
    texts: set[str] = set()
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        for line in str(block.get("examples") or "").splitlines():
            if line.startswith("- "):
                texts.add(ANNOTATION.sub(r"\1", line[2:]).strip())
    return texts


def score_language(language: str, predictions: list[dict]) -> LanguageScore:
    """Macro-F1 over the intents of ``predictions`` (each {"intent", "intent_prediction": {"name"}})."""
    from sklearn.metrics import f1_score

    gold = [p["intent"] for p in predictions]
    predicted = [(p.get("intent_prediction") or {}).get("name") or "" for p in predictions]
    labels = sorted(set(gold))
    per_intent = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    weakest = sorted(zip(labels, (float(f) for f in per_intent), strict=True), key=lambda item: item[1])[:5]
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0
    return LanguageScore(language, float(per_intent.mean()) if labels else 0.0, accuracy, len(gold), weakest)


def scores_by_language(predictions: list[dict], spanish: set[str]) -> list[LanguageScore]:
    split: dict[str, list[dict]] = {"en": [], "es": []}
    for prediction in predictions:
        split["es" if prediction["text"].strip() in spanish else "en"].append(prediction)
    return [score_language(language, rows) for language, rows in split.items() if rows]


def language_rows(scores: list[LanguageScore]) -> list[str]:
    rows = [
        "",
        f"## Per language (target: macro-F1 >= {TARGET_MACRO_F1:.2f} in each)",
        "",
        "| language | macro-F1 | accuracy | examples | weakest intents |",
        "|---|---|---|---|---|",
    ]
    for score in scores:
        weakest = ", ".join(f"{name} {f1:.2f}" for name, f1 in score.weakest)
        rows.append(
            f"| {score.language} | **{score.macro_f1:.3f}** | {score.accuracy:.3f} | {score.examples} | {weakest} |"
        )
    return rows


def summarise(report: dict, folds: int, languages: list[LanguageScore] | None = None) -> str:
    macro = report["macro avg"]
    weighted = report["weighted avg"]
    rows: list[str] = [
        f"# NLU cross-validation ({folds} folds)",
        "",
        f"- intent macro-F1: **{macro['f1-score']:.3f}**",
        f"- intent weighted F1: {weighted['f1-score']:.3f}",
        f"- accuracy: {report.get('accuracy', 0.0):.3f}",
        f"- examples: {int(macro['support'])}",
        "",
        "| intent | precision | recall | F1 | examples |",
        "|---|---|---|---|---|",
    ]
    per_intent = {k: v for k, v in report.items() if k not in SKIPPED_ROWS and isinstance(v, dict)}
    for name, scores in sorted(per_intent.items(), key=lambda item: item[1]["f1-score"]):
        rows.append(
            f"| {name} | {scores['precision']:.3f} | {scores['recall']:.3f} | "
            f"{scores['f1-score']:.3f} | {int(scores['support'])} |"
        )
    if languages:
        rows += language_rows(languages)
    rows += [
        "",
        "Confusion matrix: `intent_confusion_matrix.png`; misclassified examples: `intent_errors.json`.",
    ]
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report_dir", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    report = json.loads((args.report_dir / "intent_report.json").read_text(encoding="utf-8"))
    predictions: list[dict] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = args.report_dir / name
        if path.exists():
            predictions += json.loads(path.read_text(encoding="utf-8"))
    languages = scores_by_language(predictions, spanish_texts()) if predictions else None
    summary = summarise(report, args.folds, languages)
    (args.report_dir / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)


if __name__ == "__main__":
    main()
