"""The dialogue test set (tests/dialogues/*.yml) is sound, and passes at or above its floor.

PASS_RATE_FLOOR is the target of issue 17 (95% of conversations); the failures are listed in
the README's "Conversations" section and in reports/dialogues.md (`make dialogues`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.dialogues.run import load_all, play_set, set_problems
from tests.heldout.cases import Conversation
from tests.heldout.cases import load as load_heldout
from tests.heldout.play import ConversationResult, rate

PASS_RATE_FLOOR = 0.95
MINIMUM_CONVERSATIONS = 300

pytestmark = pytest.mark.dialogues


@pytest.fixture(scope="module")
def conversations() -> list[Conversation]:
    return load_all()


def test_the_set_is_large_well_formed_and_not_copied_from_training_data(conversations):
    assert len(conversations) >= MINIMUM_CONVERSATIONS
    assert all(len(c.turns) >= 2 for c in conversations), "every dialogue has several turns"
    assert set_problems(conversations) == []


def test_no_message_is_taken_from_the_held_out_set(conversations):
    held_out = {turn.say.lower().strip() for c in load_heldout() for turn in c.turns}
    assert {turn.say for c in conversations for turn in c.turns if turn.say.lower().strip() in held_out} == set()


@pytest.fixture(scope="module")
def results(conversations, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ConversationResult]]:
    played, _ = play_set(conversations, tmp_path_factory.mktemp("dialogues"), workers=8)
    yield played


def test_the_dialogues_pass_at_the_floor(results):
    measured = rate(results)
    failed = [r.conversation.id for r in results if not r.passed]
    assert measured.value >= PASS_RATE_FLOOR, f"dialogue pass rate {measured} < {PASS_RATE_FLOOR:.0%}: {failed}"
