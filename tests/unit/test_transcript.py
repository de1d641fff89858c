"""Transcripts: staff turns marked from tracker metadata, and the snapshot merged with what came after."""

from clinic.directory import default_directory
from clinic.escalation_flow import clinic_discussed
from clinic.transcript import merge_transcript, transcript_from_events


def turn(role, text, second):
    return {"role": role, "text": text, "at": f"2026-11-25T18:00:{second:02d}+00:00"}


def test_staff_replies_in_the_tracker_are_staff_turns():
    events = [
        {"event": "user", "text": "hi", "timestamp": 1.0},
        {"event": "bot", "text": "Hello!", "timestamp": 2.0},
        {"event": "bot", "text": "This is Dana", "timestamp": 3.0, "metadata": {"staff_reply": True}},
        {"event": "action", "name": "action_listen", "timestamp": 4.0},
    ]
    assert [t["role"] for t in transcript_from_events(events)] == ["user", "bot", "staff"]


def test_merge_keeps_the_snapshot_and_adds_only_later_turns():
    snapshot = [turn("user", "help", 1), turn("bot", "a person will call", 2)]
    current = [turn("user", "help", 1), turn("bot", "a person will call", 2), turn("user", "thanks", 9)]
    assert merge_transcript(snapshot, current) == [*snapshot, turn("user", "thanks", 9)]


def test_merge_keeps_the_snapshot_when_the_tracker_lost_it():
    snapshot = [turn("user", "help", 1)]
    assert merge_transcript(snapshot, []) == snapshot
    assert merge_transcript([], [turn("user", "x", 3)]) == [turn("user", "x", 3)]


def test_the_clinic_discussed_is_the_last_one_named():
    directory = default_directory()
    events = [
        {"event": "user", "parse_data": {"entities": [{"entity": "clinic", "value": "irvine"}]}},
        {"event": "user", "parse_data": {"entities": [{"entity": "city", "value": "Laguna Hills"}]}},
        {"event": "user", "parse_data": {"entities": []}},
    ]
    assert clinic_discussed(events, directory) == "laguna-hills"
    assert clinic_discussed(events[:1], directory) == "irvine"
    assert clinic_discussed([{"event": "user", "parse_data": {}}], directory) == ""
