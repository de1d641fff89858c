"""Fault: the Rasa server is killed with SIGKILL in the middle of a load run, then restarted."""

import asyncio
import time

import aiohttp
import pytest
import requests

from bench.load import Turn, say
from harness.servers import list_escalations, running_assistant

CRISIS = "I can't do this anymore, I want to end my life"
SCRIPT = [
    "hi",
    "what is fibromyalgia?",
    "how fast does ketamine work?",
    "where are your clinics?",
    "are you open on saturday?",
    "thanks",
]
CONVERSATIONS = 12


async def converse(session, url, sender, opening, stop: asyncio.Event, turns: list[Turn]) -> None:
    """One visitor: says the script over and over, waiting for each reply, retrying after errors."""
    texts = [opening, *SCRIPT] if opening else SCRIPT
    step = 0
    while not stop.is_set():
        turn = await say(session, url, sender, texts[step % len(texts)], timeout=30)
        turns.append(turn)
        if turn.answered:
            step += 1
        else:
            await asyncio.sleep(0.3)


def answered_in_order(turns: list[Turn], sender: str) -> list[str]:
    return [turn.text for turn in turns if turn.sender == sender and turn.answered]


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(any(item == needle for item in remaining) for needle in needles)


def tracker_user_texts(servers, sender: str) -> list[str]:
    response = requests.get(
        f"{servers['rasa']}/conversations/{sender}/tracker", params={"token": servers["token"]}, timeout=30
    )
    response.raise_for_status()
    return [event.get("text") for event in response.json()["events"] if event["event"] == "user"]


async def load_with_crash(servers) -> tuple[list[Turn], float, float]:
    url = f"{servers['rasa']}/webhooks/rest/webhook"
    senders = [f"crash-{i}" for i in range(CONVERSATIONS)]
    stop, turns = asyncio.Event(), []
    async with aiohttp.ClientSession(headers=servers["rest_headers"]) as session:
        visitors = [
            asyncio.create_task(converse(session, url, sender, CRISIS if i % 3 == 0 else None, stop, turns))
            for i, sender in enumerate(senders)
        ]
        await asyncio.sleep(6)
        killed_at = time.perf_counter()
        await asyncio.to_thread(servers["kill_rasa"])
        await asyncio.to_thread(servers["start_rasa"])
        restarted_at = time.perf_counter()
        await asyncio.sleep(6)
        stop.set()
        await asyncio.gather(*visitors)
    return turns, killed_at, restarted_at


@pytest.mark.slow
def test_kill_9_mid_load_loses_no_answered_message_keeps_escalations_and_clients_continue(tmp_path):
    with running_assistant(tmp_path) as servers:
        turns, killed_at, restarted_at = asyncio.run(load_with_crash(servers))
        senders = sorted({turn.sender for turn in turns})
        assert len(senders) == CONVERSATIONS
        assert any(not turn.answered for turn in turns), "the kill interrupted no request"
        answered_before = {turn.sender for turn in turns if turn.answered and turn.finished < killed_at}
        answered_after = {turn.sender for turn in turns if turn.answered and turn.finished > restarted_at}
        assert answered_before == answered_after == set(senders)
        for sender in senders:
            assert is_subsequence(answered_in_order(turns, sender), tracker_user_texts(servers, sender)), sender
        escalated = {e["conversation_id"] for e in list_escalations(servers["env"]) if e["reason"] == "crisis"}
        crisis_before = {
            turn.sender for turn in turns if turn.text == CRISIS and turn.answered and turn.finished < killed_at
        }
        assert len(crisis_before) == CONVERSATIONS // 3
        assert crisis_before <= escalated
