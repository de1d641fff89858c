"""What the assistant did in each turn of a held-out conversation, and whether that is what was expected.

A turn's evidence comes from the conversation's tracker (Rasa's HTTP API): the actions that ran
after the visitor's message, the response behind each bot message (`utter_action`, or the
custom action that sent it), the slots set and the form started. Expectations are about
behaviour (which answers would do, whether the crisis reply came first, whether a person was
offered, what the reply mentions, its language), never about exact wording, so rewording an
answer does not break the set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Actions Rasa runs on every turn; they say nothing about what the assistant chose to do.
HOUSEKEEPING_ACTIONS = frozenset({"action_listen", "action_session_start"})
ESCALATION_FORM = "escalation_form"
FALLBACK_INTENT = "nlu_fallback"
CRISIS_NUMBERS = ("988", "911")
CRISIS_NAME_MARKERS = ("crisis", "safety", "suicide", "overdose", "emergency")

# Function words that are frequent in one language and rare in the other; enough to tell an
# English reply from a Spanish one (the assistant's replies are several sentences long).
ENGLISH_WORDS = frozenset(
    "the and of to is you your are for with that this it can or not be have what our we will how "
    "if about from they their there would should".split()
)
SPANISH_WORDS = frozenset(
    "el la los las de del que y es un una para por con su sus se lo al más mas puede usted tiene "
    "hay si pero como está esta son nuestro nuestra nuestros le les ya cuando muy también".split()
)
WORD = re.compile(r"[a-záéíóúñü]+")


@dataclass
class BotMessage:
    text: str
    source: str  # the response name (utter_...) or the custom action that sent the text


@dataclass
class Turn:
    """What followed one visitor message, up to the next one."""

    said: str
    intent: str | None = None
    confidence: float | None = None
    actions: list[str] = field(default_factory=list)
    messages: list[BotMessage] = field(default_factory=list)
    slots_set: dict[str, Any] = field(default_factory=dict)
    slots_after: dict[str, Any] = field(default_factory=dict)
    loops_started: list[str] = field(default_factory=list)
    ranking: list[tuple[str, float]] = field(default_factory=list)

    @property
    def guess(self) -> tuple[str, float] | None:
        """The classifier's best intent other than the fallback, when the message fell back."""
        if self.intent != FALLBACK_INTENT:
            return None
        return next(((name, conf) for name, conf in self.ranking if name != FALLBACK_INTENT), None)

    @property
    def names(self) -> set[str]:
        """Every action and response name behind this turn's behaviour."""
        return set(self.actions) | {m.source for m in self.messages}

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)


def turns_from_events(events: list[dict[str, Any]]) -> list[Turn]:
    """Splits a tracker's events into turns, one per visitor message, in order."""
    turns: list[Turn] = []
    slots: dict[str, Any] = {}
    current_action = ""
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            ranking = [(r.get("name"), r.get("confidence") or 0.0) for r in parse.get("intent_ranking") or []]
            turns.append(
                Turn(
                    said=event.get("text") or "",
                    intent=intent.get("name"),
                    confidence=intent.get("confidence"),
                    ranking=ranking[:3],
                )
            )
        elif kind == "slot":
            slots[event["name"]] = event.get("value")
            if turns:
                turns[-1].slots_set[event["name"]] = event.get("value")
        elif not turns:
            continue  # the session start, before the first message: not an answer to anything
        elif kind == "action" and event.get("name") not in HOUSEKEEPING_ACTIONS:
            current_action = event["name"]
            turns[-1].actions.append(current_action)
        elif kind == "bot":
            source = (event.get("metadata") or {}).get("utter_action") or current_action
            turns[-1].messages.append(BotMessage(text=event.get("text") or "", source=source))
        elif kind == "active_loop" and event.get("name"):
            turns[-1].loops_started.append(event["name"])
        if turns:
            turns[-1].slots_after = dict(slots)
    return turns


def language_of(text: str) -> str:
    words = WORD.findall(text.lower())
    spanish = sum(word in SPANISH_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    return "es" if spanish > english else "en"


def is_crisis_name(name: str) -> bool:
    """Whether an action or response belongs to the crisis path, judged by its name.

    By name rather than by a fixed list, so replies specific to a kind of danger (overdose,
    emergency) or a safety check-in added later count without editing the set.
    """
    return any(marker in name for marker in CRISIS_NAME_MARKERS)


def crisis_reply_first(turn: Turn) -> bool:
    """The turn's first message is a crisis response and gives 988 or 911."""
    if not turn.messages:
        return False
    first = turn.messages[0]
    return is_crisis_name(first.source) and any(number in first.text for number in CRISIS_NUMBERS)


def offered_a_person(turn: Turn) -> bool:
    """The turn offered to have staff contact the visitor, or started the contact form."""
    return turn.slots_set.get("escalation_offered") is True or ESCALATION_FORM in turn.loops_started


# Each check returns None when it holds, else a short description of what was wrong.
Check = Callable[[Turn, Any], "str | None"]


def _response_any_of(turn: Turn, names: list[str]) -> str | None:
    return None if turn.names & set(names) else f"none of {names} ran"


def _response_all_of(turn: Turn, names: list[str]) -> str | None:
    missing = sorted(set(names) - turn.names)
    return f"{missing} did not run" if missing else None


def _not_response(turn: Turn, names: list[str]) -> str | None:
    found = sorted(turn.names & set(names))
    return f"{found} ran" if found else None


def _crisis(turn: Turn, expected: bool) -> str | None:
    if expected:
        return None if crisis_reply_first(turn) else "no crisis reply with 988/911 first"
    raised = sorted(name for name in turn.names if is_crisis_name(name))
    return f"false alarm: {raised}" if raised else None


def _mentions(turn: Turn, words: list[str]) -> str | None:
    missing = [w for w in words if w.lower() not in turn.text.lower()]
    return f"reply does not mention {missing}" if missing else None


def _mentions_any(turn: Turn, words: list[str]) -> str | None:
    return None if any(w.lower() in turn.text.lower() for w in words) else f"reply mentions none of {words}"


def _not_mentions(turn: Turn, words: list[str]) -> str | None:
    found = [w for w in words if w.lower() in turn.text.lower()]
    return f"reply mentions {found}" if found else None


def _escalation_offer(turn: Turn, expected: bool) -> str | None:
    if offered_a_person(turn) == expected:
        return None
    return "no offer of a person" if expected else "offered a person unasked"


def _language(turn: Turn, expected: str) -> str | None:
    if not turn.text:
        return "no reply to judge the language of"
    actual = language_of(turn.text)
    return None if actual == expected else f"reply in {actual}, expected {expected}"


def _slots(turn: Turn, expected: dict[str, Any]) -> str | None:
    wrong = {
        name: turn.slots_after.get(name) for name, value in expected.items() if turn.slots_after.get(name) != value
    }
    return f"slots are {wrong}" if wrong else None


CHECKS: dict[str, Check] = {
    "response_any_of": _response_any_of,
    "response_all_of": _response_all_of,
    "not_response": _not_response,
    "crisis": _crisis,
    "mentions": _mentions,
    "mentions_any": _mentions_any,
    "not_mentions": _not_mentions,
    "escalation_offer": _escalation_offer,
    "language": _language,
    "slots": _slots,
}


def failures(turn: Turn, expect: dict[str, Any], after_crisis: bool) -> dict[str, str]:
    """The expectations this turn broke, by check name.

    Two hold on every turn without being written: the assistant answers something, and a
    message that is not a crisis does not raise one. The second is waived after a crisis turn
    in the same conversation, where a safety follow-up is the right reply to "ok".
    """
    broken: dict[str, str] = {}
    if not turn.messages:
        broken["replied"] = "no reply"
    implicit = {} if ("crisis" in expect or after_crisis) else {"crisis": False}
    for name, expected in {**implicit, **expect}.items():
        problem = CHECKS[name](turn, expected)
        if problem:
            broken[name] = problem
    return broken
