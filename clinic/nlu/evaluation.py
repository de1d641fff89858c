"""What ``make evaluate`` cross-validates: the intent classifier on the topic intents, per language.

Five pipeline components decide an intent by the message's shape, not by what it is about, and
are not trained: the question splitter (several_questions), the follow-up marker (follow_up),
the noise marker (noise), the service-question marker (clinic_services) and the insurance-plan
marker (insurance_plan: "do you take Kaiser?", labelled cost_insurance in the topic data). In a conversation a
short "cuanto dura el alivio?" is rightly a follow-up, answered with the conversation's context;
cross-validation has no conversation, and its examples are labelled with their topic, so the
markers' relabelling would count as topic errors. The evaluation therefore trains and tests
the pipeline without them, on the training files without their examples (data/nlu_dialogue.yml);
their recognition is measured by the dialogue test set (``make dialogues``) and their unit tests.

``python -m clinic.nlu.evaluation <dir>`` writes ``<dir>/config.yml`` and ``<dir>/data/``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import yaml

SHAPE_COMPONENTS = (
    "clinic.nlu.question_splitter.QuestionSplitter",
    "clinic.nlu.follow_ups.FollowUpMarker",
    "clinic.nlu.noise.NoiseMarker",
    "clinic.nlu.services.ServiceQuestionMarker",
    "clinic.nlu.plans.InsurancePlanMarker",
)
SHAPE_DATA = ("nlu_dialogue.yml",)
CONFIG = Path("config.yml")
DATA = Path("data")


def evaluation_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` without the shape components (everything else as trained and served)."""
    pipeline = [c for c in config.get("pipeline") or [] if c.get("name") not in SHAPE_COMPONENTS]
    return {**config, "pipeline": pipeline}


def evaluation_files(data: Path = DATA) -> list[Path]:
    """The NLU training files with the topic intents' examples (all but the shape intents' file)."""
    return sorted(p for p in data.glob("nlu*.yml") if p.name not in SHAPE_DATA)


def prepare(out: Path, config: Path = CONFIG, data: Path = DATA) -> None:
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "data", ignore_errors=True)
    (out / "data").mkdir()
    for path in evaluation_files(data):
        shutil.copyfile(path, out / "data" / path.name)
    chosen = evaluation_config(yaml.safe_load(config.read_text(encoding="utf-8")))
    (out / "config.yml").write_text(yaml.safe_dump(chosen, sort_keys=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    prepare(args.out)


if __name__ == "__main__":
    main()
