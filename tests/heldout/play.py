"""Plays the held-out conversations against a running assistant and writes the report.

Each conversation gets a fresh sender id and goes over the public REST channel, one message
after the previous reply, as a website visitor would; several conversations run at once. After
the last message the conversation's tracker is read once through the HTTP API (with its token)
and split into turns, which the expectations are checked against.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.heldout.cases import Conversation
from tests.heldout.checks import Turn, failures, turns_from_events

TIMEOUT = 60


@dataclass
class TurnResult:
    number: int
    said: str
    expect: dict[str, Any]
    turn: Turn | None
    broken: dict[str, str]

    @property
    def passed(self) -> bool:
        return not self.broken


@dataclass
class ConversationResult:
    conversation: Conversation
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.turns)


def judge(conversation: Conversation, turns: list[Turn]) -> ConversationResult:
    """Checks each played turn against its expectations."""
    result = ConversationResult(conversation)
    after_crisis = False
    for number, case in enumerate(conversation.turns, 1):
        turn = turns[number - 1] if number <= len(turns) else None
        if turn is None:
            broken = {"played": "the tracker holds no such turn"}
        else:
            broken = failures(turn, case.expect, after_crisis)
        result.turns.append(TurnResult(number, case.say, case.expect, turn, broken))
        after_crisis = after_crisis or case.expect.get("crisis") is True
    return result


def play(
    session: requests.Session, base: str, token: str, conversation: Conversation, rest_headers: dict[str, str]
) -> ConversationResult:
    sender = f"heldout-{conversation.id}-{uuid.uuid4().hex[:12]}"
    for number, case in enumerate(conversation.turns, 1):
        response = session.post(
            f"{base}/webhooks/rest/webhook",
            json={"sender": sender, "message": case.say},
            headers=rest_headers,
            timeout=TIMEOUT,
        )
        if response.status_code != 200:
            result = judge(conversation, [])
            result.turns[number - 1].broken = {"played": f"HTTP {response.status_code}"}
            return result
    tracker = session.get(f"{base}/conversations/{sender}/tracker", params={"token": token}, timeout=TIMEOUT)
    tracker.raise_for_status()
    return judge(conversation, turns_from_events(tracker.json()["events"]))


def play_all(
    base: str,
    token: str,
    conversations: list[Conversation],
    workers: int = 8,
    rest_headers: dict[str, str] | None = None,
) -> list[ConversationResult]:
    """Plays every conversation, ``workers`` at a time; results in the set's order.

    ``rest_headers`` carry the REST channel's bearer token (REST_CHANNEL_TOKEN).
    """
    # One keep-alive session per worker thread: requests.Session is not thread-safe.
    sessions: dict[int, requests.Session] = {}

    def one(conversation: Conversation) -> ConversationResult:
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        return play(session, base, token, conversation, rest_headers or {})

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, conversations))
    for session in sessions.values():
        session.close()
    return results


@dataclass(frozen=True)
class Rate:
    passed: int
    total: int

    @property
    def value(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:.1%} ({self.passed}/{self.total})"


def rate(results: Iterable[ConversationResult]) -> Rate:
    outcomes = [r.passed for r in results]
    return Rate(sum(outcomes), len(outcomes))


def turn_rate(results: Iterable[ConversationResult]) -> Rate:
    outcomes = [t.passed for r in results for t in r.turns]
    return Rate(sum(outcomes), len(outcomes))


def rates_by(results: list[ConversationResult], key: Callable[[Conversation], str]) -> dict[str, Rate]:
    groups: dict[str, list[ConversationResult]] = defaultdict(list)
    for result in results:
        groups[key(result.conversation)].append(result)
    return {name: rate(group) for name, group in sorted(groups.items())}


def rates_by_voice(results: list[ConversationResult]) -> dict[str, Rate]:
    """Rates per voice; a conversation written in several voices counts in each."""
    groups: dict[str, list[ConversationResult]] = defaultdict(list)
    for result in results:
        for voice in result.conversation.voice:
            groups[voice].append(result)
    return {name: rate(group) for name, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))}


def check_failures(results: list[ConversationResult]) -> Counter[str]:
    """How many turns broke each kind of expectation."""
    return Counter(name for r in results for t in r.turns for name in t.broken)


def write_report(path: Path, results: list[ConversationResult], header: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report(results, header), encoding="utf-8")
    return path


def hedged(result: TurnResult) -> bool:
    """A failed turn that fell back although the classifier's best guess was an expected answer."""
    guess = result.turn.guess if result.turn else None
    expected = set(result.expect.get("response_any_of", [])) | set(result.expect.get("response_all_of", []))
    return not result.passed and guess is not None and bool({f"utter_{guess[0]}", f"action_{guess[0]}"} & expected)


def _cell(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _actual(turn: Turn | None) -> str:
    if turn is None:
        return "(not played)"
    intent = f"intent {turn.intent} {turn.confidence:.2f}" if turn.confidence is not None else f"intent {turn.intent}"
    if turn.guess:
        intent += f" (best guess {turn.guess[0]} {turn.guess[1]:.2f})"
    sources = ", ".join(dict.fromkeys(m.source for m in turn.messages)) or "no reply"
    return f"{intent}; {sources}; “{_cell(turn.text, 120)}”"


def _table(title: str, rates: dict[str, Rate]) -> list[str]:
    lines = [f"| {title} | conversations passed |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rates.items()]
    return [*lines, ""]


def report(results: list[ConversationResult], header: dict[str, str]) -> str:
    """The Markdown report: pass rates overall and per group, then every failed turn."""
    lines = ["# Held-out conversations", ""]
    lines += [f"- {name}: {value}" for name, value in header.items()]
    lines += [
        f"- **conversations passed: {rate(results)}**",
        f"- turns passed: {turn_rate(results)}",
        "",
        "A conversation passes when every turn meets its expectations. The set, how it was written and",
        "how to run it: docs/heldout.md.",
        "",
    ]
    lines += _table("language", rates_by(results, lambda c: c.language))
    lines += _table("category", rates_by(results, lambda c: c.category))
    lines += _table("channel style", rates_by(results, lambda c: c.style))
    lines += _table(
        "voice (3 or more conversations)", {k: v for k, v in rates_by_voice(results).items() if v.total >= 3}
    )
    lines += ["| expectation broken | turns |", "|---|---|"]
    lines += [f"| {name} | {count} |" for name, count in check_failures(results).most_common()]
    hedges = sum(hedged(t) for r in results for t in r.turns)
    lines += [
        "",
        f"{hedges} failed turns fell back (asked to confirm or rephrase) although the classifier's best",
        "guess was an expected answer: the confidence or ambiguity threshold, not understanding.",
    ]
    lines += ["", "## Failures", ""]
    lines += [
        "| conversation | turn | visitor said | expected | what went wrong | actual |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        for t in result.turns:
            if t.passed:
                continue
            expected = "; ".join(f"{k}: {v}" for k, v in t.expect.items())
            wrong = "; ".join(f"{k}: {v}" for k, v in t.broken.items())
            conv = result.conversation
            lines.append(
                f"| {conv.id} ({conv.language}, {conv.style}) | {t.number} | {_cell(t.said, 100)} | "
                f"{_cell(expected, 120)} | {_cell(wrong, 120)} | {_actual(t.turn)} |"
            )
    return "\n".join(lines) + "\n"
