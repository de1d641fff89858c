"""The benchmark's table: this assistant, the stock bot and their ratio, one metric a row."""

from __future__ import annotations

import math
from typing import Any

MB = 1024 * 1024


def ratio(ours: float, stock: float) -> str:
    if not stock or math.isnan(ours) or math.isnan(stock):
        return "n/a"
    return f"{ours / stock:.2f}x"


def _row(name: str, ours: float, stock: float, unit: str, digits: int = 1) -> str:
    return f"| {name} | {ours:.{digits}f} {unit} | {stock:.{digits}f} {unit} | {ratio(ours, stock)} |"


def rows(report: dict[str, Any]) -> list[str]:
    ours, stock = report["ours"], report["stock"]
    lines = []
    for level in ours["levels"]:
        mine, theirs = ours["levels"][level], stock["levels"][level]
        lines.append(
            _row(
                f"throughput, {level} conversations",
                mine["messages_per_second"],
                theirs["messages_per_second"],
                "msg/s",
            )
        )
        for q in ("p50", "p95", "p99"):
            lines.append(_row(f"{q} latency, {level} conversations", mine[f"{q}_ms"], theirs[f"{q}_ms"], "ms", 0))
        lines.append(f"| errors, {level} conversations | {mine['errors']} | {theirs['errors']} | |")
        lines.append(
            _row(
                f"server CPU per message, {level} conversations",
                mine["server_cpu_ms_per_message"],
                theirs["server_cpu_ms_per_message"],
                "ms",
            )
        )
    lines.append(_row("server start-up", ours["startup_seconds"], stock["startup_seconds"], "s"))
    our_rss, stock_rss = sum(ours["rss_bytes"].values()) / MB, sum(stock["rss_bytes"].values()) / MB
    lines.append(_row("resident memory after load (all servers)", our_rss, stock_rss, "MB", 0))
    lines.append(_row("resident memory, Rasa server alone", ours["rss_bytes"]["rasa"] / MB, stock_rss, "MB", 0))
    lines.append(_row("training", ours["training_seconds"], stock["training_seconds"], "s"))
    tensorflow = {True: "yes", False: "no"}
    lines.append(
        f"| TensorFlow loaded by the server | {tensorflow[ours['tensorflow_loaded']]} | "
        f"{tensorflow[stock['tensorflow_loaded']]} | |"
    )
    return lines


def target_lines(report: dict[str, Any]) -> list[str]:
    """The targets for every change on the message path, at 20 concurrent conversations: met or not."""
    ours, stock = report["ours"], report["stock"]
    if "20" not in ours["levels"]:
        return []
    mine, theirs = ours["levels"]["20"], stock["levels"]["20"]
    throughput = mine["messages_per_second"] / theirs["messages_per_second"]
    memory = sum(ours["rss_bytes"].values()) / sum(stock["rss_bytes"].values())
    server_memory = ours["rss_bytes"]["rasa"] / sum(stock["rss_bytes"].values())
    checks = [
        (f"throughput at 20 conversations at least 5x stock: {throughput:.2f}x", throughput >= 5),
        (f"p95 at 20 conversations at most 200 ms: {mine['p95_ms']:.0f} ms", mine["p95_ms"] <= 200),
        (
            f"resident memory at most 60% of stock: {memory:.0%} with the action server, "
            f"{server_memory:.0%} for the Rasa server alone",
            memory <= 0.6,
        ),
    ]
    return ["", "Targets:", ""] + [f"- {'met' if ok else 'NOT met'}: {text}" for text, ok in checks]


def render_markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    load = ", ".join(f"{value:.2f}" for value in machine["load_average_at_start"])
    per_level = {level: values["load_average_before"] for level, values in report["ours"]["levels"].items()}
    header = [
        "# Benchmark: this assistant vs Rasa's stock `rasa init` bot",
        "",
        f"Run {report['started']} on {machine['cores']} cores; load average at start {load} "
        f"(1-minute load before each of our levels: {per_level}). {report['seconds_per_level']:.0f} s per level, "
        "REST channel, every client holding multi-turn conversations one after another.",
        "",
        "| metric | this assistant | stock bot | ratio |",
        "|---|---|---|---|",
    ]
    lines = header + rows(report) + target_lines(report) + fault_lines(report.get("faults"))
    return "\n".join(lines) + "\n"


def fault_lines(faults: dict[str, Any] | None) -> list[str]:
    if not faults:
        return []
    verdict = "PASS" if faults["passed"] else "FAIL"
    return [
        "",
        f"Fault tests (SIGKILL of the Rasa server mid-load and restart; {faults['hostile_messages']:,} hostile "
        f"messages over REST, SMS and socket.io): **{verdict}** ({faults['summary']}, {faults['seconds']:.0f} s).",
        *(f"- `{failure}`" for failure in faults.get("failures", [])),
    ]
