""" "Was this helpful?" ratings of FAQ answers, kept in the conversation's own tracker.

A rating is a ``SlotSet`` of ``RATING_SLOT`` appended to the conversation (the tracker is the
one conversation store). Its value names the answer (the response's name and the time it was
sent), the visitor's message it answered, thumbs up or down, and an optional reason. The
answer and the message are looked up in the conversation here, never taken from the browser,
so a rating can only be about an answer the conversation really holds.

``python -m clinic.ratings list`` prints every rating from the tracker store as JSON, for the
console's review page and dashboard.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from clinic.sources import sources_for
from clinic.transcript import event_buttons, shown_text

RATING_SLOT = "answer_rating"
VALUES = ("up", "down")
REASONS = ("wrong_topic", "not_clear", "want_person")
# A thumb, then at most one reason: a client repeating itself cannot grow the tracker.
MAX_RATINGS_PER_ANSWER = 2


class RatingError(ValueError):
    """The rating does not name a rateable answer of this conversation, or its value is unknown."""


def rating_for(
    events: Iterable[dict[str, Any]], response: Any, answer_at: Any, value: Any, reason: Any = None
) -> dict[str, Any]:
    """The slot value recording a rating of the answer ``response`` sent at ``answer_at``."""
    if value not in VALUES:
        raise RatingError(f"a rating is one of {', '.join(VALUES)}")
    if reason is not None and (value != "down" or reason not in REASONS):
        raise RatingError(f"a reason is given with a thumbs down, one of {', '.join(REASONS)}")
    if not isinstance(response, str) or not sources_for(response):
        raise RatingError("only FAQ answers are rated")
    events = list(events)
    earlier = [
        e
        for e in events
        if e.get("event") == "slot"
        and e.get("name") == RATING_SLOT
        and isinstance(e.get("value"), dict)
        and (e["value"].get("response"), e["value"].get("answer_at")) == (response, answer_at)
    ]
    if len(earlier) >= MAX_RATINGS_PER_ANSWER:
        raise RatingError("this answer has been rated already")
    message = None
    offered: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") == "bot":
            offered = event_buttons(event) or offered
            metadata = event.get("metadata") or {}
            if metadata.get("utter_action") == response and event.get("timestamp") == answer_at:
                return {
                    "response": response,
                    "answer_at": answer_at,
                    "message": message,
                    "value": value,
                    "reason": reason,
                }
        elif event.get("event") == "user":
            message = shown_text(event.get("text") or "", offered)
    raise RatingError("the conversation holds no such answer")


def ratings_from_events(events: Iterable[dict[str, Any]], conversation_id: str | None = None) -> list[dict[str, Any]]:
    """The ratings of one conversation, the latest per answer (a reason given after the thumb replaces it)."""
    latest: dict[tuple[Any, Any], dict[str, Any]] = {}
    for event in events:
        value = event.get("value")
        if event.get("event") != "slot" or event.get("name") != RATING_SLOT or not isinstance(value, dict):
            continue
        key = (value.get("response"), value.get("answer_at"))
        latest.pop(key, None)  # re-inserted: the order is that of the latest rating
        latest[key] = {**value, "conversation_id": conversation_id, "rated_at": event.get("timestamp")}
    return list(latest.values())


def list_ratings(endpoints: Path) -> list[dict[str, Any]]:
    """Every rating in the tracker store that ``endpoints`` configures, oldest first."""
    # Imported here: the web channel uses this module on its message path and needs none of it.
    from sqlalchemy import select

    from clinic.retention import TrackerEvents

    store = TrackerEvents(endpoints)
    table = store.table
    query = (
        select(table.c.sender_id, table.c.data)
        .where(table.c.type_name == "slot", table.c.action_name == RATING_SLOT)
        .order_by(table.c.sender_id, table.c.timestamp, table.c.id)
    )
    by_conversation: dict[str, list[dict[str, Any]]] = {}
    with store.engine.connect() as connection:
        for sender_id, data in connection.execute(query):
            by_conversation.setdefault(sender_id, []).append(json.loads(data))
    ratings = [
        rating
        for conversation_id, events in by_conversation.items()
        for rating in ratings_from_events(events, conversation_id)
    ]
    return sorted(ratings, key=lambda r: r["rated_at"] or 0)


def main() -> None:
    from clinic.retention import default_endpoints

    parser = argparse.ArgumentParser(description="Lists the answers' ratings kept in the tracker store.")
    parser.add_argument("command", choices=["list"])
    parser.add_argument("--endpoints", type=Path, default=default_endpoints())
    args = parser.parse_args()
    print(json.dumps(list_ratings(args.endpoints), indent=2))


if __name__ == "__main__":
    main()
