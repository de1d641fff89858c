"""Clinic finder actions: where the clinics are, the nearest one, hours and contact."""

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from clinic.conversation.context import day_mentioned
from clinic.directory import Clinic, Directory, default_directory
from clinic.finder import (
    clinic_answered,
    clinic_named,
    render_contact_answer,
    render_hours_answer,
    render_location_answer,
)
from clinic.messages import SMS_CHANNELS
from clinic.places import find_place


def entity_values(tracker: Tracker, name: str) -> list[str]:
    return [str(value) for value in tracker.get_latest_entity_values(name) if value]


def is_sms(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() in SMS_CHANNELS


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or "en"


def named_clinic(tracker: Tracker, directory: Directory) -> Clinic | None:
    """The clinic the visitor names, as a clinic entity or as one of the clinics' cities."""
    for value in entity_values(tracker, "clinic") + entity_values(tracker, "city"):
        clinic = clinic_named(directory, value)
        if clinic is not None:
            return clinic
    return None


def clinics_asked_about(tracker: Tracker, directory: Directory) -> list[Clinic]:
    """The one clinic the visitor names, or all of them."""
    clinic = named_clinic(tracker, directory)
    return [clinic] if clinic else list(directory.clinics)


def context_events(clinic: Clinic | None) -> list[EventType]:
    """The clinic an answer was about becomes the conversation's clinic, for follow-ups."""
    return [SlotSet("clinic_context", clinic.name)] if clinic else []


class ActionClinicLocations(Action):
    def name(self) -> str:
        return "action_clinic_locations"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        directory = default_directory()
        text = tracker.latest_message.get("text") or ""
        clinic = next((clinic_named(directory, v) for v in entity_values(tracker, "clinic")), None)
        lookup = find_place(text, entity_values(tracker, "zip_code") + entity_values(tracker, "city"))
        dispatcher.utter_message(
            text=render_location_answer(directory, lookup, clinic, is_sms(tracker), language_of(tracker))
        )
        return context_events(clinic_answered(directory, lookup, clinic))


class ActionClinicHours(Action):
    def name(self) -> str:
        return "action_clinic_hours"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        directory = default_directory()
        clinics = clinics_asked_about(tracker, directory)
        text = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(
            text=render_hours_answer(directory, clinics, text, is_sms(tracker), language=language_of(tracker))
        )
        # The day asked about stays the context of a follow-up ("and Irvine?").
        return [SlotSet("day_asked", day_mentioned(text))] + context_events(named_clinic(tracker, directory))


class ActionClinicContact(Action):
    def name(self) -> str:
        return "action_clinic_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        directory = default_directory()
        clinics = clinics_asked_about(tracker, directory)
        dispatcher.utter_message(text=render_contact_answer(directory, clinics, is_sms(tracker), language_of(tracker)))
        return context_events(named_clinic(tracker, directory))
