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
    return "\n".join(header + rows(report)) + "\n"
