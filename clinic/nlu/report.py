"""Summarises ``rasa test nlu --cross-validation`` output as reports/nlu/summary.md."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SKIPPED_ROWS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def summarise(report: dict, folds: int) -> str:
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
    summary = summarise(report, args.folds)
    (args.report_dir / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)


if __name__ == "__main__":
    main()
