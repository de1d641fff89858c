"""The pooled SQL tracker store keeps Rasa's table, rows and answers, with less work per message."""

import collections
import json
import os
import stat

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy.pool import QueuePool

from clinic.tracker_store import PooledSQLTrackerStore, message_characters
from harness.servers import ROOT

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, clinic_hours]
slots:
  city:
    type: text
    mappings: [{type: from_text}]
"""
)


def turn(text, timestamp, intent="greet"):
    return [
        UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=timestamp),
        SlotSet("city", "Irvine", timestamp=timestamp),
        ActionExecuted("utter_greet", timestamp=timestamp),
        BotUttered("Hello!", timestamp=timestamp),
        ActionExecuted("action_listen", timestamp=timestamp),
    ]


def first_session(sender="visitor-1"):
    return DialogueStateTracker.from_events(
        sender, [SessionStarted(timestamp=1.0), ActionExecuted("action_listen", timestamp=1.0), *turn("hi", 2.0)]
    )


StoredRow = collections.namedtuple("StoredRow", "sender_id type_name timestamp intent_name action_name data")


def rows(store):
    """The stored rows, each event's JSON text read back (the store writes it compactly)."""
    columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    with store.engine.connect() as connection:
        stored = connection.exec_driver_sql(f"SELECT {columns} FROM events ORDER BY id").all()
    return [StoredRow(*row[:-1], json.loads(row.data)) for row in stored]


def statements(store):
    """Every SQL statement ``store`` sends from now on."""
    sent = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


@pytest.fixture
def stores(tmp_path):
    ours = PooledSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))
    theirs = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "theirs.db"))
    return ours, theirs


async def test_the_same_conversation_is_stored_and_read_back_as_rasa_does(stores):
    ours, theirs = stores
    for store in stores:
        await store.save(first_session())
        tracker = await store.retrieve("visitor-1")
        tracker.update_with_events(turn("when are you open", 3.0, "clinic_hours"), DOMAIN, override_timestamp=False)
        await store.save(tracker)

    assert rows(ours) == rows(theirs)
    assert len(rows(ours)) == 12
    ours_read, theirs_read = await ours.retrieve("visitor-1"), await theirs.retrieve("visitor-1")
    assert list(ours_read.events) == list(theirs_read.events)
    assert ours_read.get_slot("city") == "Irvine"
    assert await ours.retrieve("nobody") is None


async def test_a_read_conversation_saves_only_its_new_events_without_counting_the_stored_ones(stores):
    ours, _ = stores
    await ours.save(first_session())
    tracker = await ours.retrieve("visitor-1")
    tracker.update_with_events(turn("and saturday?", 3.0, "clinic_hours"), DOMAIN, override_timestamp=False)
    sent = statements(ours)

    await ours.save(tracker)
    await ours.save(tracker)  # nothing new: nothing written

    # Each save writes first, without counting the stored rows; only then does it read the two
    # numbers that tell whether the tracker it keeps is still the conversation's.
    assert [statement.split()[0] for statement in sent] == ["INSERT", "SELECT", "SELECT"]
    assert all("max(events.id)" in statement for statement in sent[1:])
    assert [row.timestamp for row in rows(ours)] == [1.0, 1.0, *[2.0] * 5, *[3.0] * 5]


async def test_a_saved_tracker_is_handed_out_once_while_the_table_has_not_changed(stores):
    ours, _ = stores
    await ours.save(first_session())
    tracker = await ours.retrieve("visitor-1")
    tracker.update_with_events(turn("and saturday?", 3.0, "clinic_hours"), DOMAIN, override_timestamp=False)
    await ours.save(tracker)
    sent = statements(ours)

    kept = await ours.retrieve("visitor-1")
    assert kept is tracker
    assert len(sent) == 1 and "max(events.id)" in sent[0]  # no event read
    again = await ours.retrieve("visitor-1")  # the kept one has an owner now: this one is read
    assert again is not tracker and list(again.events) == list(tracker.events)


async def test_rows_written_or_deleted_by_someone_else_are_read_from_the_table(stores, tmp_path):
    ours, _ = stores
    await ours.save(first_session())
    await ours.save(await ours.retrieve("visitor-1"))
    # Another replica (Rasa's own store on the same table) answers the next message.
    replica = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))
    elsewhere = await replica.retrieve("visitor-1")
    elsewhere.update_with_events(turn("is there parking", 4.0), DOMAIN, override_timestamp=False)
    await replica.save(elsewhere)

    read = await ours.retrieve("visitor-1")
    assert [e.text for e in read.events if isinstance(e, UserUttered)] == ["hi", "is there parking"]
    await ours.save(read)
    with ours.engine.begin() as connection:  # `make forget`
        connection.exec_driver_sql("DELETE FROM events WHERE sender_id = 'visitor-1'")
    assert await ours.retrieve("visitor-1") is None


async def test_a_tracker_holding_a_new_session_is_not_kept(stores):
    ours, _ = stores
    await ours.save(first_session())
    tracker = await ours.retrieve("visitor-1")
    tracker.update_with_events(
        [ActionExecuted("action_session_start", timestamp=9.0), SessionStarted(timestamp=9.0), *turn("hi again", 9.0)],
        DOMAIN,
        override_timestamp=False,
    )
    await ours.save(tracker)

    read = await ours.retrieve("visitor-1")
    assert read is not tracker
    assert [e.text for e in read.events if isinstance(e, UserUttered)] == ["hi again"]  # the latest session alone


async def test_a_tracker_not_read_from_the_store_is_saved_as_rasa_saves_it(stores):
    ours, theirs = stores
    for store in stores:
        # As Rasa's server uses a store: wrapped, and creating new conversations itself.
        wrapped = FailSafeTrackerStore(store)
        tracker = await wrapped.get_or_create_tracker("visitor-2")
        tracker.update_with_events(turn("hello", 5.0), DOMAIN, override_timestamp=False)
        await wrapped.save(tracker)
        rebuilt = DialogueStateTracker.from_events("visitor-2", [*tracker.events, *turn("again", 6.0)])
        await wrapped.save(rebuilt)

    def kinds(store):
        return [(row.type_name, row.intent_name, row.action_name) for row in rows(store)]

    assert kinds(ours) == kinds(theirs)
    assert len(kinds(ours)) == 11


async def test_only_the_latest_session_is_read_and_the_full_history_on_request(stores):
    ours, theirs = stores
    for store in stores:
        await store.save(first_session())
        tracker = await store.retrieve("visitor-1")
        tracker.update_with_events(
            [SessionStarted(timestamp=9.0), *turn("back again", 10.0)], DOMAIN, override_timestamp=False
        )
        await store.save(tracker)

    latest, full = await ours.retrieve("visitor-1"), await ours.retrieve_full_tracker("visitor-1")
    assert list(latest.events) == list((await theirs.retrieve("visitor-1")).events)
    assert [event.timestamp for event in latest.events] == [9.0, *[10.0] * 5]
    assert list(full.events) == list((await theirs.retrieve_full_tracker("visitor-1")).events)
    assert len(full.events) == 13

    full.update_with_events(turn("one more", 11.0), DOMAIN, override_timestamp=False)
    await ours.save(full)
    theirs_full = await theirs.retrieve_full_tracker("visitor-1")
    theirs_full.update_with_events(turn("one more", 11.0), DOMAIN, override_timestamp=False)
    await theirs.save(theirs_full)
    assert rows(ours) == rows(theirs)


async def test_sqlite_connections_are_kept_in_a_pool(stores):
    ours, _ = stores
    opened = []
    sa.event.listen(ours.engine, "connect", lambda *args: opened.append(args))

    await ours.save(first_session())
    for _ in range(5):
        tracker = await ours.retrieve("visitor-1")
        await ours.save(tracker)

    assert isinstance(ours.engine.pool, QueuePool)
    assert len(opened) == 1


def test_the_project_endpoints_configure_this_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "the-launchers-set-this")  # Rasa expands every ${VAR} of the file
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    config.kwargs["db"] = str(tmp_path / "tracker.db")

    store = create_tracker_store(config, DOMAIN)

    assert isinstance(store, PooledSQLTrackerStore)
    assert (tmp_path / "tracker.db").exists()


def test_the_sqlite_conversation_file_is_the_owners_alone(tmp_path):
    previous = os.umask(0o022)
    try:
        PooledSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "tracker.db").stat().st_mode) == 0o600


async def test_a_conversation_of_long_messages_is_read_from_the_table_not_kept(stores):
    from clinic.tracker_store import KEPT_MESSAGE_CHARACTERS

    ours, _ = stores
    await ours.save(first_session())
    tracker = await ours.retrieve("visitor-1")
    long_message = "my pain " * (KEPT_MESSAGE_CHARACTERS // 8)
    tracker.update_with_events(turn(long_message, 3.0), DOMAIN, override_timestamp=False)
    await ours.save(tracker)

    read = await ours.retrieve("visitor-1")
    assert read is not tracker
    assert list(read.events) == list(tracker.events)


async def test_kept_trackers_stay_within_their_budget_of_message_characters(stores, monkeypatch):
    from clinic import tracker_store

    ours, _ = stores
    saved = {}
    for number in range(5):
        sender = f"visitor-{number}"
        await ours.save(first_session(sender))
        tracker = await ours.retrieve(sender)
        tracker.update_with_events(turn("my pain " * 125, 3.0), DOMAIN, override_timestamp=False)
        if not saved:
            # Room for three of these conversations of about 1,000 characters each.
            monkeypatch.setattr(tracker_store, "KEPT_CHARACTERS_IN_ALL", 3.5 * message_characters(tracker.events))
        await ours.save(tracker)
        saved[sender] = tracker

    assert [await ours.retrieve(sender) is saved[sender] for sender in saved] == [False, False, True, True, True]
    assert ours._kept_characters == 0
