"""The path to a person: personal medical questions, requests for staff, bookings, fallbacks."""

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clinics import language_of
from clinic.alerts import escalate
from clinic.contact import DECLINED
from clinic.conversation.form_reading import (
    NOT_FOR_THE_FORM,
    QUESTION_INTENTS,
    FormReading,
    asks_instead,
    mentions_own_number,
    read_form_message,
    sms_sender_number,
    unread_message,
)
from clinic.directory import default_directory
from clinic.escalation_flow import (
    MAX_UNCLEAR_CONSENT,
    Answer,
    answer_consent,
    build_escalation,
    given,
    next_steps_values,
    recorded_trigger,
    remaining_slots,
)
from clinic.hours import local_now
from clinic.language import default_words
from clinic.messages import message
from clinic.safety.followup import escalation_reason
from clinic.topics import related_faq

FORM_SLOTS = ("first_name", "contact", "best_time", "consent")


def say(dispatcher: CollectingDispatcher, tracker: Tracker, name: str, **values: Any) -> None:
    dispatcher.utter_message(**message(name, tracker.get_latest_input_channel(), language_of(tracker), **values))


def trigger_of(tracker: Tracker) -> dict[str, Any]:
    """The latest user message, kept as what started the escalation."""
    latest = tracker.latest_message or {}
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    return {
        "text": latest.get("text") or "",
        "message_id": latest.get("message_id"),
        "timestamp": user_events[-1].get("timestamp") if user_events else None,
    }


def offer_events(reason: str, tracker: Tracker) -> list[EventType]:
    return [
        SlotSet("escalation_offered", True),
        SlotSet("escalation_reason", reason),
        SlotSet("escalation_trigger", trigger_of(tracker)),
    ]


def reset_events() -> list[EventType]:
    return [SlotSet(name, None) for name in FORM_SLOTS] + [
        SlotSet("escalation_offered", False),
        SlotSet("spanish_speaker", None),
        SlotSet("escalation_reason", None),
        SlotSet("escalation_trigger", None),
        SlotSet("escalation_cancelled", None),
        SlotSet("consent_unclear", None),
    ]


class ActionAnswerMedicalQuestion(Action):
    """After "I can't advise you": the closest general answer, then the offer of a clinician."""

    def name(self) -> str:
        return "action_answer_medical_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        topic = related_faq(tracker.latest_message.get("intent_ranking") or [])
        if topic:
            say(dispatcher, tracker, "general_information_follows")
            dispatcher.utter_message(response=f"utter_{topic}")
        say(dispatcher, tracker, "offer_clinician")
        return offer_events("medical_advice", tracker)


class ActionOfferEscalation(Action):
    """The last fallback stage: offers to have the staff reach the visitor."""

    def name(self) -> str:
        return "action_offer_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say(dispatcher, tracker, "offer_staff")
        return offer_events("fallback", tracker)


class ActionStartEscalation(Action):
    """A request for a person or an appointment goes straight to the contact form."""

    def name(self) -> str:
        return "action_start_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spanish_speaker = language_of(tracker) == "es" or default_words().asks_for_spanish_speaker(
            tracker.latest_message.get("text")
        )
        flag = [SlotSet("spanish_speaker", True)] if spanish_speaker else []
        if (tracker.latest_message.get("intent") or {}).get("name") == "book_appointment":
            say(dispatcher, tracker, "start_contact_form_appointment")
            return offer_events("appointment", tracker) + flag
        say(dispatcher, tracker, "start_contact_form_spanish_staff" if spanish_speaker else "start_contact_form_staff")
        return offer_events("request_human", tracker) + flag


class ActionDeclineEscalation(Action):
    def name(self) -> str:
        return "action_decline_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say(dispatcher, tracker, "escalation_declined", phone=default_directory().group_phone)
        return reset_events()


class AskFormQuestion(Action):
    """Asks one question of the contact form (Rasa calls action_ask_<slot>)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say(dispatcher, tracker, f"ask_{self.slot}")
        return []


class ActionAskFirstName(AskFormQuestion):
    slot = "first_name"


class ActionAskContact(AskFormQuestion):
    slot = "contact"


class ActionAskBestTime(AskFormQuestion):
    slot = "best_time"


class ActionAskConsent(AskFormQuestion):
    slot = "consent"


class ValidateEscalationForm(FormValidationAction):
    """Every slot a message gives (clinic/conversation/form_reading.py), asked for or not.

    The name, contact and best time have custom mappings: ``extract_<slot>`` reads them from the
    latest message, at the form's start as in its middle; ``validate_<slot>`` keeps the reading,
    or says why the asked slot was not taken. A general question gives the form nothing, so
    Rasa rejects the form for that message and the rules answer it (data/rules.yml).
    """

    def name(self) -> str:
        return "validate_escalation_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return remaining_slots(tracker.get_slot("contact"))

    @staticmethod
    def _reading(tracker: Tracker) -> FormReading:
        if not unread_message(tracker.events):
            return FormReading()
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in NOT_FOR_THE_FORM:
            return FormReading(question=True)
        own = sms_sender_number(tracker) if mentions_own_number(text) else None
        return read_form_message(
            text,
            tracker.get_slot("requested_slot"),
            local_now(default_directory()).date(),
            own_number=own,
            question_intent=intent in QUESTION_INTENTS,
        )

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        reading = self._reading(tracker)
        if reading.question:
            return {}
        if slot in reading.slots:
            return {slot: reading.slots[slot]}
        if slot == tracker.get_slot("requested_slot") and (reading.refused or reading.problem or reading.slots):
            # Validated below: the refusal, the problem, or "asked again" after another slot was given.
            return {slot: tracker.latest_message.get("text") or ""}
        return {}

    async def extract_first_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("first_name", tracker)

    async def extract_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("contact", tracker)

    async def extract_best_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("best_time", tracker)

    async def extract_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The answer to the consent question, as typed (validate_consent reads it), unless a question."""
        if tracker.get_slot("requested_slot") != "consent" or not unread_message(tracker.events):
            return {}
        text = tracker.latest_message.get("text") or ""
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("name") in NOT_FOR_THE_FORM or asks_instead(
            text, intent.get("name"), float(intent.get("confidence") or 0.0)
        ):
            return {}
        return {"consent": text}

    @staticmethod
    def _apply(slot: str, answer: Answer, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if answer.cancelled:
            # Said by action_submit_escalation, which runs when the form ends.
            return {slot: None, "requested_slot": None, "escalation_cancelled": True}
        if answer.problem:
            say(dispatcher, tracker, answer.problem)
            return {slot: None}
        return {slot: answer.value}

    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        reading = self._reading(tracker)
        if slot in reading.slots:
            return {slot: reading.slots[slot]}
        if slot != tracker.get_slot("requested_slot"):
            return {slot: value}
        if reading.refused:
            refused = Answer(cancelled=True) if reading.refused == "cancelled" else Answer(DECLINED)
            return self._apply(slot, refused, dispatcher, tracker)
        if reading.problem:
            return self._apply(slot, Answer(problem=reading.problem), dispatcher, tracker)
        # Another slot was given (a correction, "actually email me"): ask this one again.
        return {slot: None}

    async def validate_first_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validate("first_name", value, dispatcher, tracker)

    async def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validate("contact", value, dispatcher, tracker)

    async def validate_best_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validate("best_time", value, dispatcher, tracker)

    async def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The words the visitor sent, not the slot's value: NLU reads "hmm" or "ok?" as affirm.
        unclear_before = int(tracker.get_slot("consent_unclear") or 0)
        if {"contact", "first_name"} & set(self._reading(tracker).slots):
            # A correction while consent is asked ("actually email me at ..."): ask consent again.
            return {"consent": None}
        answer = answer_consent(tracker.latest_message.get("text") or "", unclear_before)
        slots = self._apply("consent", answer, dispatcher, tracker)
        return {**slots, "consent_unclear": unclear_before + 1} if answer.problem else slots


class ActionSubmitEscalation(Action):
    """Records the escalation when the visitor agreed to be contacted, and says what happens next."""

    def name(self) -> str:
        return "action_submit_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        directory = default_directory()
        if tracker.get_slot("escalation_cancelled"):
            unclear = (tracker.get_slot("consent_unclear") or 0) >= MAX_UNCLEAR_CONSENT
            say(
                dispatcher,
                tracker,
                "consent_unclear" if unclear else "escalation_cancelled",
                phone=directory.group_phone,
            )
            return reset_events()
        consent = tracker.get_slot("consent") is True
        contact: str | None = tracker.get_slot("contact")
        if not (consent and given(contact)):
            say(dispatcher, tracker, "escalation_without_contact", phone=directory.group_phone)
            return reset_events()
        escalation = build_escalation(
            reason=tracker.get_slot("escalation_reason") or "request_human",
            sender_id=tracker.sender_id,
            trigger=recorded_trigger(tracker.get_slot("escalation_trigger"), tracker.events) or trigger_of(tracker),
            events=tracker.events,
            first_name=tracker.get_slot("first_name"),
            contact=contact,
            best_time=tracker.get_slot("best_time"),
            consent=consent,
            directory=directory,
            language=language_of(tracker),
            needs_spanish_speaker=bool(tracker.get_slot("spanish_speaker")),
            own_number=sms_sender_number(tracker),
        )
        await escalate(escalation)
        say(
            dispatcher,
            tracker,
            "escalation_recorded_spanish_staff" if escalation.needs_spanish_speaker else "escalation_recorded",
            **next_steps_values(
                directory,
                tracker.get_slot("first_name"),
                best_time=tracker.get_slot("best_time"),
                language=language_of(tracker),
            ),
        )
        return reset_events()


class ActionRecordCrisis(Action):
    """Records (or, within the window, updates) the urgent escalation after the crisis reply."""

    def name(self) -> str:
        return "action_record_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        escalation = build_escalation(
            reason=escalation_reason(tracker.get_slot("crisis_kind")),
            sender_id=tracker.sender_id,
            trigger=trigger_of(tracker),
            events=tracker.events,
            directory=default_directory(),
            language=language_of(tracker),
        )
        await escalate(escalation)
        return []
