"""`make heldout`: starts the real servers, plays the held-out set and writes reports/heldout.md.

    python -m tests.heldout.run [--output reports/heldout.md] [--workers 8]

A measurement, not a gate: it exits 0 whatever the pass rate (tests/heldout/test_heldout.py
holds the floor), and 1 only when the set itself is malformed or leaked into training.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from harness.servers import MODEL, running_assistant
from tests.heldout.cases import ROOT, domain_names, leaked_messages, load, problems, training_files
from tests.heldout.play import ConversationResult, play_all, rate, turn_rate, write_report


def model_fingerprint(model: Path = MODEL) -> str:
    digest = hashlib.sha256()
    with model.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{model.relative_to(ROOT)} sha256 {digest.hexdigest()[:12]}"


def run(output: Path, workers: int) -> list[ConversationResult]:
    conversations = load()
    wrong = problems(conversations, domain_names()) + [
        f"trained on: {message!r} in {files}"
        for message, files in leaked_messages(conversations, training_files()).items()
    ]
    if wrong:
        raise SystemExit("the held-out set cannot be used:\n" + "\n".join(wrong))
    with tempfile.TemporaryDirectory(prefix="heldout-") as workdir, running_assistant(Path(workdir)) as servers:
        started = time.monotonic()
        results = play_all(servers["rasa"], servers["token"], conversations, workers, servers["rest_headers"])
        elapsed = time.monotonic() - started
    header = {
        "run": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "model": model_fingerprint(),
        "played": f"{len(conversations)} conversations over the REST channel, {workers} at a time, in {elapsed:.0f} s",
    }
    write_report(output, results, header)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "reports" / "heldout.md")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    results = run(args.output, args.workers)
    print(f"conversations passed: {rate(results)}; turns passed: {turn_rate(results)}; report: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
