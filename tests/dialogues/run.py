"""The dialogue test set: multi-turn conversations about follow-ups, several questions at once,
the clinic finder and the rest of issue 17, played against the real servers.

    python -m tests.dialogues.run [--output reports/dialogues.md] [--workers 8]

The conversations (tests/dialogues/*.yml) use the held-out set's format and checks
(tests/heldout/cases.py, checks.py) and its player; unlike the held-out set they were written
alongside the behaviour they test, so they are a regression suite, not a measure of
generalisation. Each file is one theme. tests/dialogues/test_dialogues.py holds the floor.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from harness.servers import running_assistant
from tests.heldout.cases import ROOT, Conversation, domain_names, load, normalised, problems
from tests.heldout.play import ConversationResult, play_all, rate, turn_rate, write_report

HERE = Path(__file__).resolve().parent
REPORT = ROOT / "reports" / "dialogues.md"


def load_all(directory: Path = HERE) -> list[Conversation]:
    return [conversation for path in sorted(directory.glob("*.yml")) for conversation in load(path)]


EXAMPLE = re.compile(r"^\s*-\s+(.+?)\s*$", re.MULTILINE)


def training_examples(root: Path = ROOT) -> set[str]:
    """Every NLU example in data/, normalised as the held-out leak check does."""
    return {
        _plain(normalised(match))
        for path in sorted((root / "data").rglob("*.yml"))
        for match in EXAMPLE.findall(path.read_text(encoding="utf-8"))
    }


def _plain(text: str) -> str:
    return " ".join(text.strip().strip("\"'").lower().split())


def set_problems(conversations: list[Conversation]) -> list[str]:
    """Malformed conversations, and messages that are a training example word for word.

    Short follow-ups ("parking?") may occur inside longer training examples; a whole example
    copied as a visitor message may not.
    """
    examples = training_examples()
    copied = [turn.say for c in conversations for turn in c.turns if _plain(turn.say) in examples]
    return problems(conversations, domain_names()) + [f"a training example: {message!r}" for message in copied]


def play_set(conversations: list[Conversation], workdir: Path, workers: int) -> tuple[list[ConversationResult], float]:
    with running_assistant(workdir) as servers:
        started = time.monotonic()
        results = play_all(servers["rasa"], servers["token"], conversations, workers, servers["rest_headers"])
        return results, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPORT)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    conversations = load_all()
    wrong = set_problems(conversations)
    if wrong:
        raise SystemExit("the dialogue set cannot be used:\n" + "\n".join(wrong))
    with tempfile.TemporaryDirectory(prefix="dialogues-") as workdir:
        results, elapsed = play_set(conversations, Path(workdir), args.workers)
    header = {
        "run": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "played": f"{len(conversations)} conversations over the REST channel, {args.workers} at a time, "
        f"in {elapsed:.0f} s",
    }
    write_report(args.output, results, header)
    print(f"conversations passed: {rate(results)}; turns passed: {turn_rate(results)}; report: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
