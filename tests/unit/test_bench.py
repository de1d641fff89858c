"""The benchmark's arithmetic, process readings and report (the benchmark itself is `make bench`)."""

import math
import os
import subprocess
import sys

from bench.load import percentile
from bench.processes import process_tree, rss_bytes, tree_cpu_seconds, tree_rss_bytes
from bench.report import render_markdown


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_process_tree_memory_and_cpu_include_children():
    child = subprocess.Popen([sys.executable, "-c", "x = bytearray(64 * 2**20); import time; time.sleep(30)"])
    try:
        for _ in range(100):
            if rss_bytes(child.pid) > 64 * 2**20:
                break
            subprocess.run(["sleep", "0.05"])
        assert child.pid in process_tree(os.getpid())
        assert tree_rss_bytes(os.getpid()) >= rss_bytes(os.getpid()) + 64 * 2**20
        assert tree_cpu_seconds(os.getpid()) > 0
    finally:
        child.kill()
        child.wait()
    assert rss_bytes(child.pid) == 0


def level(mps, p95):
    return {
        "messages_per_second": mps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 2,
        "errors": 0,
        "server_cpu_ms_per_message": 1000 / mps,
        "load_average_before": 0.5,
    }


def test_report_gives_ratios_and_targets():
    mb = 2**20
    report = {
        "machine": {"cores": 2, "load_average_at_start": [0.5, 0.4, 0.3]},
        "started": "2026-11-25 16:00 UTC",
        "seconds_per_level": 30,
        "ours": {
            "levels": {"20": level(200.0, 150)},
            "startup_seconds": 12.0,
            "training_seconds": 60.0,
            "rss_bytes": {"rasa": 500 * mb, "actions": 100 * mb},
            "tensorflow_loaded": True,
        },
        "stock": {
            "levels": {"20": level(40.0, 900)},
            "startup_seconds": 32.0,
            "training_seconds": 120.0,
            "rss_bytes": {"rasa": 1200 * mb},
            "tensorflow_loaded": True,
        },
        "faults": {"passed": False, "summary": "1 failed, 1 passed", "hostile_messages": 10_000, "seconds": 300},
    }
    markdown = render_markdown(report)
    assert "| throughput, 20 conversations | 200.0 msg/s | 40.0 msg/s | 5.00x |" in markdown
    assert "| server CPU per message, 20 conversations | 5.0 ms | 25.0 ms | 0.20x |" in markdown
    assert "| resident memory after load (all servers) | 600 MB | 1200 MB | 0.50x |" in markdown
    assert "- met: throughput at 20 conversations at least 5x stock: 5.00x" in markdown
    assert "- met: p95 at 20 conversations at most 200 ms: 150 ms" in markdown
    report["ours"]["levels"]["20"] = level(199.0, 201)
    markdown = render_markdown(report)
    assert "- NOT met: throughput at 20 conversations at least 5x stock: 4.97x" in markdown
    assert "- NOT met: p95 at 20 conversations at most 200 ms: 201 ms" in markdown
    assert "- met: resident memory at most 60% of stock: 50%" in markdown
    assert "**FAIL** (1 failed, 1 passed" in markdown
