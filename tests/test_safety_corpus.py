"""The safety corpus: its size and coverage, its split by group, and the held-out figures.

The held-out test trains nothing: it loads the built crisis model and the lexicon and scores
content/safety/heldout.tsv, in a few seconds.
"""

import re
from collections import Counter

import pytest

from clinic.safety.corpus import HELDOUT_FILE, TRAIN_FILE, read_examples, read_groups, split
from clinic.safety.decision import CrisisDetector
from clinic.safety.evaluate import DEFAULT_REPORT, TARGET_FALSE_ALARMS, TARGET_RECALL, evaluate
from clinic.safety.normalise import fold


@pytest.fixture(scope="module")
def train():
    return read_examples(TRAIN_FILE)


@pytest.fixture(scope="module")
def heldout():
    return read_examples(HELDOUT_FILE)


@pytest.fixture(scope="module")
def everything(train, heldout):
    return train + heldout


def test_the_split_files_are_the_split_of_the_sources(train, heldout):
    assert split(read_groups()) == (train, heldout)


def test_the_held_out_part_is_exactly_the_fresh_sources():
    groups = read_groups()
    train, heldout = split(groups)
    fresh = {group.id for group in groups if group.source.startswith("heldout_")}
    assert {e.group for e in heldout} == fresh
    assert not fresh & {e.group for e in train}
    # The first held-out part (every fourth group of the old sources) was read while tuning: it trains now.
    assert {group.id for group in groups if group.id not in fresh} == {e.group for e in train}


def test_the_fresh_held_out_part_has_the_size_the_brief_asks_for(heldout):
    flagged = Counter((e.language, e.style) for e in heldout if e.flagged)
    assert all(flagged[(language, style)] >= 60 for language in ("en", "es") for style in ("web", "sms"))
    assert sum(flagged.values()) >= 300 and sum(not e.flagged for e in heldout) >= 700


def test_no_held_out_message_is_a_near_copy_of_a_training_message(train, heldout):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit([e.text for e in train + heldout])
    similarity = cosine_similarity(
        vectorizer.transform([e.text for e in heldout]), vectorizer.transform([e.text for e in train])
    )
    assert similarity.max() < 0.76


def test_no_group_is_on_both_sides_of_the_split(train, heldout):
    assert not {e.group for e in train} & {e.group for e in heldout}
    assert 0.2 <= len(heldout) / (len(train) + len(heldout)) <= 0.35


def test_the_corpus_has_the_size_the_issue_asks_for(everything):
    crisis = [e for e in everything if e.outcome not in ("none", "possible_crisis")]
    ordinary = [e for e in everything if e.outcome == "none"]
    assert len(crisis) >= 800 and len(ordinary) >= 2000
    assert sum(e.language == "es" for e in ordinary) >= 600
    assert {(e.language, e.style) for e in crisis} == {("en", "web"), ("en", "sms"), ("es", "web"), ("es", "sms")}


def test_combinatorial_templates_are_a_minority(everything):
    templated = [e for e in everything if e.group.startswith("templates-")]
    assert len(templated) < 0.3 * len(everything)


def test_every_category_is_covered_in_both_languages(everything):
    covered = {(e.category, e.language) for e in everything}
    for category in (
        "passive_ideation",
        "active_ideation",
        "plan_means",
        "method_question",
        "self_harm",
        "overdose_taken",
        "medical_emergency",
        "other_in_danger",
        "disguised",
        "ambiguous",
        "pain_idiom",
        "informational",
        "negation",
        "past_resolved",
        "ordinary",
        "request_opener",
    ):
        assert (category, "en") in covered or category == "request_opener", category
        assert (category, "es") in covered, category


@pytest.mark.parametrize(
    "opener", ["quiero", "quisiera", "necesito", "me gustaria", "puedo", "ocupo", "busco", "deseo", "me interesa"]
)
def test_every_common_spanish_request_opener_is_among_the_non_crisis_messages(everything, opener):
    openers = Counter(fold(e.text) for e in everything if e.language == "es" and e.outcome == "none")
    assert sum(count for text, count in openers.items() if re.match(rf"(\w+, )?{opener}\b", text)) >= 5


@pytest.fixture(scope="module")
def slices(heldout):
    return evaluate(heldout, CrisisDetector.load())


def test_the_report_gives_figures_never_held_out_messages(heldout):
    report = DEFAULT_REPORT.read_text(encoding="utf-8")
    assert not [e.text for e in heldout if len(e.text) > 15 and e.text in report]


def test_the_committed_report_holds_the_current_figures(slices):
    report = DEFAULT_REPORT.read_text(encoding="utf-8")
    for piece in slices.values():
        row = (
            f"| {piece.name} | {piece.crises} | {piece.recall:.3f} | {piece.right_kind}/{piece.caught} "
            f"| {piece.ordinary} | {piece.false_alarms} | {piece.false_alarm_rate:.2%} |"
        )
        assert row in report, f"reports/safety.md is stale: run `make evaluate-safety` ({row})"


# Where the held-out figures are still below the issue's targets, the test says so and fails
# when the gap closes (strict), so the marker cannot outlive the gap. The figures are those of
# the fresh held-out part (content/safety/README.md); the assertions give counts, never the
# held-out messages, so that running the tests does not show what tuning must not see.
BELOW_TARGET = {
    "en": "recall 0.842 (28 missed of 177), false alarms 2.57% (9 of 350)",
    "es": "recall 0.898 (18 missed of 177), false alarms 4.72% (17 of 360)",
    "web": "recall 0.847 (27 missed of 176), false alarms 3.08% (12 of 390)",
    "sms": "recall 0.893 (19 missed of 178), false alarms 4.38% (14 of 320)",
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=BELOW_TARGET[name]))
        if name in BELOW_TARGET
        else name
        for name in ("en", "es", "web", "sms")
    ],
)
def test_held_out_recall_and_false_alarms_meet_the_targets(slices, name):
    piece = slices[name]
    assert piece.recall >= TARGET_RECALL, f"{piece.crises - piece.caught} missed of {piece.crises}"
    assert piece.false_alarm_rate <= TARGET_FALSE_ALARMS, f"{piece.false_alarms} false alarms of {piece.ordinary}"
