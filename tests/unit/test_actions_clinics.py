"""The clinic finder actions, with rasa_sdk's dispatcher and tracker and a frozen clock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clinics import ActionClinicContact, ActionClinicHours, ActionClinicLocations

PACIFIC = ZoneInfo("America/Los_Angeles")


def tracker(text, entities=(), channel="rest"):
    return Tracker(
        sender_id="visitor",
        slots={},
        latest_message={"text": text, "intent": {"name": "clinic_locations"}, "entities": list(entities)},
        events=[{"event": "user", "text": text, "input_channel": channel}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def entity(name, value):
    return {"entity": name, "value": value}


def context(clinic=None, day=None, hours=False):
    """The context events an answer leaves: the day asked (hours only) and the one clinic answered."""
    events = [{"event": "slot", "timestamp": None, "name": "day_asked", "value": day}] if hours else []
    return events + (
        [{"event": "slot", "timestamp": None, "name": "clinic_context", "value": clinic}] if clinic else []
    )


async def run(action, tracker_, events=()):
    dispatcher = CollectingDispatcher()
    assert await action.run(dispatcher, tracker_, {}) == list(events)
    [message] = dispatcher.messages
    return message["text"]


async def test_where_are_you_lists_every_clinic():
    text = await run(ActionClinicLocations(), tracker("where are you located?"))
    assert all(name in text for name in ("Orange", "Irvine", "Laguna Hills"))


async def test_city_entity_with_a_clinic():
    text = await run(
        ActionClinicLocations(), tracker("do you have one in Irvine?", [entity("city", "Irvine")]), context("Irvine")
    )
    assert text.startswith("Yes, we have a clinic in Irvine.")


async def test_zip_entity_gets_the_nearest_clinic_in_miles():
    text = await run(
        ActionClinicLocations(), tracker("closest to 92630", [entity("zip_code", "92630")]), context("Laguna Hills")
    )
    assert "closest clinic to ZIP 92630 (Lake Forest) is Laguna Hills, about 3 miles" in text


async def test_clinic_entity_answers_for_that_clinic():
    text = await run(
        ActionClinicLocations(),
        tracker("address of the laguna office", [entity("clinic", "Laguna Hills")]),
        context("Laguna Hills"),
    )
    assert text.startswith("Laguna Hills:")


async def test_sms_rendering_is_compact():
    text = await run(
        ActionClinicLocations(),
        tracker("near 92630", [entity("zip_code", "92630")], channel="sms"),
        context("Laguna Hills"),
    )
    assert len(text) <= 320 and text.count("http") == 1


@time_machine.travel(datetime(2026, 11, 24, 16, 30, tzinfo=PACIFIC), tick=False)
async def test_hours_for_a_named_clinic():
    text = await run(
        ActionClinicHours(),
        tracker("when does orange close today", [entity("city", "Orange")]),
        context("Orange", "today", hours=True),
    )
    assert "Orange: 8:00 AM to 5:00 PM (open now)" in text and "Irvine" not in text


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=PACIFIC), tick=False)
async def test_hours_on_a_holiday():
    text = await run(ActionClinicHours(), tracker("are you open now?"), context(hours=True))
    assert text.count("closed now") == 3 and "Thanksgiving" in text


async def test_contact_for_all_and_for_one():
    everything = await run(ActionClinicContact(), tracker("phone number?"))
    assert "(949) 555-0100" in everything
    irvine = await run(
        ActionClinicContact(), tracker("irvine office email", [entity("clinic", "Irvine")]), context("Irvine")
    )
    assert "irvine@example-clinic.org" in irvine and "Orange" not in irvine
