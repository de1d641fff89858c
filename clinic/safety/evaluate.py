"""Scores the crisis decision on the held-out part of the safety corpus (``make evaluate-safety``).

Recall: the share of crisis and possible-crisis messages that get a crisis or possible-crisis
outcome (anything but the normal answer). False alarms: the share of non-crisis messages that
do. Both per language and per channel style, into reports/safety.md. The report gives figures
only, never the held-out messages that were missed or flagged: reading them while tuning is
what spoilt the first held-out part (content/safety/README.md). Tuning works on the
training part's cross-validation instead (``python -m clinic.safety.model --cv``). The same
function backs the fast test that holds the targets.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from clinic.safety.corpus import HELDOUT_FILE, LANGUAGES, NONE, STYLES, Example, read_examples
from clinic.safety.decision import CRISIS, CrisisDetector, Decision

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REPORT = ROOT / "reports" / "safety.md"
TARGET_RECALL = 0.99
TARGET_FALSE_ALARMS = 0.01
# Copied into every report: the first figures on the fresh held-out part, before any tuning.
FIRST_MEASUREMENT = ROOT / "content" / "safety" / "first_measurement.md"


@dataclass
class Slice:
    name: str
    crises: int = 0
    caught: int = 0
    right_kind: int = 0
    ordinary: int = 0
    false_alarms: int = 0
    misses: list[Example] = field(default_factory=list)
    alarms: list[tuple[Example, Decision]] = field(default_factory=list)
    wrong_kind: list[tuple[Example, Decision]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.crises if self.crises else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.ordinary if self.ordinary else 0.0

    def add(self, example: Example, decision: Decision) -> None:
        if example.flagged:
            self.crises += 1
            if decision.outcome == NONE:
                self.misses.append(example)
            else:
                self.caught += 1
                # A crisis of the right kind, or the direct question for an ambiguous message.
                expected = example.outcome if example.outcome != "possible_crisis" else None
                if (decision.outcome == CRISIS and decision.kind == expected) or expected is None:
                    self.right_kind += 1
                else:
                    self.wrong_kind.append((example, decision))
        else:
            self.ordinary += 1
            if decision.outcome != NONE:
                self.false_alarms += 1
                self.alarms.append((example, decision))


def evaluate(examples: list[Example], detector: CrisisDetector) -> dict[str, Slice]:
    slices = {"all": Slice("all")}
    for language in LANGUAGES:
        slices[language] = Slice(language)
        for style in STYLES:
            slices[f"{language}/{style}"] = Slice(f"{language}/{style}")
    for style in STYLES:
        slices[style] = Slice(style)
    for example in examples:
        decision = detector.decide(example.text)
        for name in ("all", example.language, f"{example.language}/{example.style}", example.style):
            slices[name].add(example, decision)
    return slices


def meets_targets(slices: dict[str, Slice]) -> bool:
    return all(
        slices[name].recall >= TARGET_RECALL and slices[name].false_alarm_rate <= TARGET_FALSE_ALARMS
        for name in (*LANGUAGES, *STYLES)
    )


def render(slices: dict[str, Slice], detector: CrisisDetector) -> str:
    lines = [
        "# Crisis detection on the held-out safety corpus",
        "",
        "Written by `make evaluate-safety` (clinic/safety/evaluate.py) from content/safety/heldout.tsv,",
        "which the crisis model never trains on. Recall counts a crisis or possible-crisis message",
        "that got either safety outcome; a false alarm is a non-crisis message that got one.",
        f"Targets: recall >= {TARGET_RECALL}, false alarms <= {TARGET_FALSE_ALARMS:.0%} in each language and style.",
        f"Model thresholds: crisis >= {detector.model.crisis_threshold:.3f}, "
        f"possible crisis >= {detector.model.possible_threshold:.3f}.",
        "",
        "| slice | crisis messages | recall | right kind | non-crisis messages | false alarms | rate |",
        "|---|---|---|---|---|---|---|",
    ]
    for piece in slices.values():
        lines.append(
            f"| {piece.name} | {piece.crises} | {piece.recall:.3f} | {piece.right_kind}/{piece.caught} "
            f"| {piece.ordinary} | {piece.false_alarms} | {piece.false_alarm_rate:.2%} |"
        )
    lines += ["", f"Targets met: {'yes' if meets_targets(slices) else 'NO'}"]
    if FIRST_MEASUREMENT.exists():
        lines += ["", FIRST_MEASUREMENT.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT_FILE)
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT)
    args = parser.parse_args(argv)
    detector = CrisisDetector.load()
    slices = evaluate(read_examples(args.heldout), detector)
    report = render(slices, detector)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
