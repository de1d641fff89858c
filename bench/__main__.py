"""`make bench`: this assistant against Rasa's stock `rasa init` bot, in one run, under the same load.

Trains both (the stock bot fresh from `rasa init --no-prompt` in a temporary directory), starts
each server alone, warms it up, then drives its REST channel with 1, 20 and 100 concurrent
conversations. Writes reports/bench.md and reports/bench.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.conversations import CLINIC_SCRIPTS, STOCK_SCRIPTS
from bench.load import run_load, warm_up
from bench.processes import loads_tensorflow, tree_cpu_seconds, tree_rss_bytes
from bench.report import render_markdown
from harness.servers import ROOT, free_port, running_assistant, wait_for_http

RASA = [sys.executable, "-m", "rasa"]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def quiet_env(workdir: Path) -> dict[str, str]:
    # A private graph cache, so nothing trained earlier is reused.
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_CACHE_DIRECTORY": str(workdir / "cache")}


@contextmanager
def stock_server(project: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    with (project / "rasa.log").open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [*RASA, "run", "--model", "models", "--interface", "127.0.0.1", "--port", str(port)],
            cwd=project,
            env=quiet_env(project),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/webhooks/rest/")
            yield {"rasa": base, "pids": {"rasa": process.pid}, "startup": {"rasa": time.monotonic() - started}}
        finally:
            process.terminate()
            process.wait(timeout=30)


def measure(servers: dict[str, Any], scripts: list[list[str]], levels: list[int], seconds: float) -> dict[str, Any]:
    pids = servers["pids"]() if callable(servers["pids"]) else servers["pids"]
    # This assistant's REST channel takes integrations' calls only (channels/rest.py); the stock bot's takes any.
    headers = servers.get("rest_headers")
    asyncio.run(warm_up(servers["rasa"], scripts, headers))
    results: dict[str, Any] = {"startup_seconds": servers["startup"]["rasa"], "levels": {}}
    for concurrency in levels:
        load_before = os.getloadavg()[0]
        cpu_before = sum(tree_cpu_seconds(pid) for pid in pids.values())
        result = asyncio.run(
            run_load(servers["rasa"], scripts, concurrency, seconds, prefix=f"c{concurrency}", headers=headers)
        )
        cpu = sum(tree_cpu_seconds(pid) for pid in pids.values()) - cpu_before
        results["levels"][str(concurrency)] = {
            "messages": len(result.answered),
            "errors": result.errors,
            "messages_per_second": result.messages_per_second,
            "p50_ms": result.latency_ms(50),
            "p95_ms": result.latency_ms(95),
            "p99_ms": result.latency_ms(99),
            "server_cpu_ms_per_message": 1000 * cpu / max(1, len(result.turns)),
            "load_average_before": load_before,
        }
        print(f"  {concurrency:>3} conversations: {result.messages_per_second:.1f} msg/s", flush=True)
    results["rss_bytes"] = {name: tree_rss_bytes(pid) for name, pid in pids.items()}
    results["tensorflow_loaded"] = loads_tensorflow(pids["rasa"])
    return results


FAULT_TESTS = ["tests/test_fault_restart.py", "tests/test_fault_hostile.py"]


def run_fault_tests(hostile_messages: int) -> dict[str, Any]:
    """The fault tests, with the full count of hostile messages; pass/fail goes into the report.

    Their servers' logs are kept in a directory named in the report, for a failure to be read.
    """
    started = time.monotonic()
    logs = tempfile.mkdtemp(prefix="bench-faults-")
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "--basetemp", logs, *FAULT_TESTS],
        cwd=ROOT,
        env={**os.environ, "HOSTILE_MESSAGES": str(hostile_messages)},
        capture_output=True,
        text=True,
    )
    lines = finished.stdout.strip().splitlines()
    return {
        "passed": finished.returncode == 0,
        "summary": lines[-1] if lines else finished.stderr.strip()[-300:],
        "failures": [line[:300] for line in lines if line.startswith("FAILED")],
        "logs": logs,
        "hostile_messages": hostile_messages,
        "seconds": time.monotonic() - started,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30, help="load duration per concurrency level")
    parser.add_argument("--levels", default="1,20,100", help="concurrent conversations, comma-separated")
    parser.add_argument("--hostile-messages", type=int, default=10_000, help="for the fault tests; 0 skips them")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    report: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seconds_per_level": args.seconds,
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        stock, ours = workdir / "stock", workdir / "ours"
        stock.mkdir()
        ours.mkdir()

        print("training the stock bot (rasa init --no-prompt)...", flush=True)
        stock_training = timed([*RASA, "init", "--no-prompt", "--init-dir", str(stock)], stock, quiet_env(stock))
        print("training this assistant (rasa train --force)...", flush=True)
        model = ours / "models" / "bench.tar.gz"
        our_training = timed(
            [*RASA, "train", "--force", "--out", str(model.parent), "--fixed-model-name", "bench"],
            ROOT,
            quiet_env(ours),
        )

        print("loading the stock bot...", flush=True)
        with stock_server(stock) as servers:
            report["stock"] = {
                "training_seconds": stock_training,
                **measure(servers, STOCK_SCRIPTS, levels, args.seconds),
            }
        print("loading this assistant...", flush=True)
        with running_assistant(ours, model=model) as servers:
            report["ours"] = {
                "training_seconds": our_training,
                **measure(servers, CLINIC_SCRIPTS, levels, args.seconds),
            }

    if args.hostile_messages:
        print("fault tests (kill -9 mid-load; hostile messages)...", flush=True)
        report["faults"] = run_fault_tests(args.hostile_messages)
    markdown = render_markdown(report)
    print(markdown)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.md").write_text(markdown, encoding="utf-8")
    (args.out / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
