"""Conversation-level answers: several questions in one message, and follow-ups in context."""

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clinics import is_sms
from actions.escalation import offer_events
from clinic.conversation.context import Context, Resolution, load_table, resolve, subject_named
from clinic.conversation.plans import asks_about_a_plan
from clinic.conversation.services import services_asked
from clinic.conversation.several import FOLLOW_UP, MAX_PARTS_ANSWERED, PartPlan, fit_sms, plan_part
from clinic.directory import Clinic, Directory, default_directory
from clinic.finder import (
    clinic_answered,
    clinic_named,
    render_contact_answer,
    render_hours_answer,
    render_location_answer,
)
from clinic.messages import load_messages, message
from clinic.parse_client import ParseUnavailable, parse_texts
from clinic.places import find_place

CONTEXT_SLOTS = ("topic", "subject", "clinic_context", "day_asked")
# Parts that end a several-question answer with an offer of a person: message and reason.
OFFERS = {
    "request_human": ("offer_staff", "request_human"),
    "book_appointment": ("offer_staff", "appointment"),
    "medical_advice": ("offer_clinician", "medical_advice"),
}
# The action whose answer a clinic follow-up gives, recorded with the message as Rasa records
# a response's name, so the tracker shows which answer the follow-up resolved to.
CLINIC_ANSWER_ACTIONS = {
    "clinic_locations": "action_clinic_locations",
    "clinic_hours": "action_clinic_hours",
    "clinic_contact": "action_clinic_contact",
}
Outgoing = tuple[dict[str, Any], str]  # kwargs for utter_message, and the full text it sends


def language_of(tracker: Tracker) -> str:
    """The conversation's language, once the language slot exists (issue 18); English before."""
    return (tracker.get_slot("language") or "en") if "language" in tracker.slots else "en"


def response_text(domain: DomainDict, name: str, channel: str | None, language: str) -> str:
    """The text Rasa would send for response ``name`` on ``channel``, for the SMS key sentence."""
    variants = (domain.get("responses") or {}).get(name) or [{}]

    def fits(variant: dict) -> bool:
        conditions = variant.get("condition") or []
        return all(c.get("name") != "language" or c.get("value") == language for c in conditions)

    usable = [v for v in variants if fits(v)] or variants
    for_channel = [v for v in usable if v.get("channel") == channel]
    plain = [v for v in usable if not v.get("channel")]
    return str((for_channel or plain or usable)[0].get("text") or "")


def entities_by_name(entities: list[dict]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for entity in entities:
        if entity.get("value"):
            grouped.setdefault(str(entity.get("entity")), []).append(str(entity["value"]))
    return grouped


def named_in(directory: Directory, entities: dict[str, list[str]]) -> Clinic | None:
    for value in entities.get("clinic", []) + entities.get("city", []):
        found = clinic_named(directory, value)
        if found is not None:
            return found
    return None


def clinic_answer(
    intent: str,
    directory: Directory,
    clinic: Clinic | None,
    text: str,
    entities: dict[str, list[str]],
    sms: bool,
    language: str = "en",
) -> str:
    """A clinic finder answer for one clinic (or all of them) and the words of the question."""
    clinics = [clinic] if clinic else list(directory.clinics)
    if intent == "clinic_hours":
        return render_hours_answer(directory, clinics, text, sms, language=language)
    if intent == "clinic_contact":
        return render_contact_answer(directory, clinics, sms, language)
    lookup = find_place(text, entities.get("zip_code", []) + entities.get("city", []))
    return render_location_answer(directory, lookup, clinic, sms, language)


class Speaker:
    """What one turn knows to render answers: channel, language, directory and domain."""

    def __init__(self, tracker: Tracker, domain: DomainDict) -> None:
        self.channel = tracker.get_latest_input_channel()
        self.language = language_of(tracker)
        self.sms = is_sms(tracker)
        self.domain = domain
        self.directory = default_directory()

    def response(self, name: str) -> Outgoing:
        return {"response": name}, response_text(self.domain, name, self.channel, self.language)

    def message(self, name: str, **values: Any) -> Outgoing:
        sent = message(name, self.channel, self.language, **values)
        return sent, sent["text"]

    def resolution(self, resolution: Resolution, text: str, entities: dict[str, list[str]]) -> Outgoing:
        """The answer a follow-up resolved to."""
        if resolution.kind == "clarify":
            return self.message(resolution.name, subject=resolution.slots.get("subject") or "")
        if resolution.kind == "answer":
            if resolution.name in load_messages():
                return self.message(resolution.name)
            return self.response(resolution.name)
        clinic = clinic_named(self.directory, resolution.clinic)
        if resolution.name in ("clinic_parking", "clinic_transit") and clinic is not None:
            kind = "parking" if resolution.name == "clinic_parking" else "transit"
            note = clinic.note(kind, self.language)
            if not note:
                return self.message(f"clinic_no_{kind}", clinic=clinic.name, phone=clinic.phone)
            address = f"{clinic.address}, {clinic.city} {clinic.zip}"
            return self.message(resolution.name, clinic=clinic.name, note=note, address=address)
        answer = clinic_answer(
            resolution.name, self.directory, clinic, resolution.day_text or text, entities, self.sms, self.language
        )
        return {"text": answer, "utter_action": CLINIC_ANSWER_ACTIONS[resolution.name]}, answer


def resolve_in(speaker: Speaker, text: str, parse: dict[str, Any], context: Context) -> Resolution:
    """``resolve`` with what the parse found: the classifier's best intent, a clinic or a place."""
    ranking = parse.get("intent_ranking") or []
    best = next((r for r in ranking if r.get("name") not in (FOLLOW_UP, "nlu_fallback")), {})
    classifier, confidence = best.get("name"), float(best.get("confidence") or 0.0)
    entities = entities_by_name(parse.get("entities") or [])
    named = named_in(speaker.directory, entities)
    lookup = find_place(text, entities.get("zip_code", []) + entities.get("city", []))
    place_named = named is None and (lookup.place is not None or bool(lookup.outside))
    return resolve(text, classifier, named.name if named else None, place_named, context, None, confidence)


def context_of(tracker: Tracker) -> Context:
    return Context(*(tracker.get_slot(slot) for slot in CONTEXT_SLOTS))


def context_before_message(tracker: Tracker) -> Context:
    """The context as the latest message found it, before its own entities filled slots.

    Each part of a several-question message brings its own clinic; "are you open saturdays
    and where is the Irvine office?" asks the hours of every clinic, not Irvine's.
    """
    values: dict[str, Any] = dict.fromkeys(CONTEXT_SLOTS)
    user_turns = [i for i, event in enumerate(tracker.events) if event.get("event") == "user"]
    for event in tracker.events[: user_turns[-1] if user_turns else 0]:
        if event.get("event") == "slot" and event.get("name") in values:
            values[event["name"]] = event.get("value")
        elif event.get("event") == "session_started":
            values = dict.fromkeys(CONTEXT_SLOTS)
    return Context(*(values[slot] for slot in CONTEXT_SLOTS))


def with_slots(context: Context, slots: dict[str, Any]) -> Context:
    renamed = {"clinic": slots["clinic_context"]} if "clinic_context" in slots else {}
    if "day_asked" in slots:
        renamed["day"] = slots["day_asked"]
    return replace(context, **{k: v for k, v in slots.items() if k in ("topic", "subject")}, **renamed)


class ActionAnswerFollowUp(Action):
    """Resolves a follow-up against the context slots and sends the answer it picks."""

    def name(self) -> str:
        return "action_answer_follow_up"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(tracker, domain)
        text = tracker.latest_message.get("text") or ""
        resolution = resolve_in(speaker, text, tracker.latest_message, context_of(tracker))
        entities = entities_by_name(tracker.latest_message.get("entities") or [])
        sent, _ = speaker.resolution(resolution, text, entities)
        dispatcher.utter_message(**sent)
        slots = dict(resolution.slots)
        if resolution.kind == "clinic" and resolution.name == "clinic_locations" and resolution.clinic is None:
            # A bare place got the nearest clinic, which the next follow-up is about.
            lookup = find_place(text, entities.get("zip_code", []) + entities.get("city", []))
            nearest = clinic_answered(speaker.directory, lookup, None)
            slots["clinic_context"] = nearest.name if nearest else None
        return [SlotSet(slot, value) for slot, value in slots.items()]


class ActionAnswerSeveralQuestions(Action):
    """Answers up to three questions of one message in order, and says which it could not."""

    def name(self) -> str:
        return "action_answer_several_questions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        parts: list[str] = list(tracker.latest_message.get("question_parts") or [])
        try:
            parses = await parse_texts(parts[:MAX_PARTS_ANSWERED])
        except ParseUnavailable:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        responses = list((domain.get("responses") or {}).keys())
        planned = [(plan_part(part, parse, responses), parse) for part, parse in zip(parts, parses, strict=False)]
        if any(plan.kind == "crisis" for plan, _ in planned):
            # The classifier saw a crisis in one part: the crisis reply, nothing else, as for a whole message.
            dispatcher.utter_message(response="utter_crisis")
            return [FollowupAction("action_record_crisis")]
        speaker = Speaker(tracker, domain)
        context = context_before_message(tracker)
        outgoing: list[Outgoing] = []
        slots: dict[str, Any] = {}
        seen: set[str] = set()
        for plan, parse in planned:
            sent, context, part_slots = self._answer(speaker, plan, parse, context)
            # The same answer twice ("what is it and what is ketamine") is sent once.
            key = str(sent.get("response") or sent.get("text"))
            if sent and key not in seen:
                seen.add(key)
                outgoing.append(
                    (sent, sent.get("text") or response_text(domain, key, speaker.channel, speaker.language))
                )
            slots |= part_slots
        if len(parts) > MAX_PARTS_ANSWERED:
            outgoing.append(speaker.message("parts_left_over", count=MAX_PARTS_ANSWERED))
        # A part asking for a person, or about the visitor's own care, ends in the offer of one.
        offer = next((OFFERS[p.name] for p, _ in planned if p.name in OFFERS), None)
        if offer is not None:
            outgoing.append(speaker.message(offer[0]))
        if speaker.sms:
            # Every answer's key sentence, all within one SMS reply's segments.
            for (answer, _), short in zip(outgoing, fit_sms([text for _, text in outgoing]), strict=True):
                answer["text"] = short
        for answer, _ in outgoing:
            dispatcher.utter_message(**answer)
        events: list[EventType] = [SlotSet(slot, value) for slot, value in slots.items()]
        return events + (offer_events(offer[1], tracker) if offer is not None else [])

    @staticmethod
    def _answer(
        speaker: Speaker, plan: PartPlan, parse: dict[str, Any], context: Context
    ) -> tuple[dict[str, Any], Context, dict[str, Any]]:
        """One part's answer, the context after it (for the parts that follow) and its slots."""
        table = load_table()
        named_subject = subject_named(plan.text, table)
        if named_subject:
            context = replace(context, subject=named_subject)
        if plan.kind == FOLLOW_UP:
            resolution = resolve_in(speaker, plan.text, parse, context)
            if resolution.kind != "clarify":
                entities = entities_by_name(parse.get("entities") or [])
                sent, _ = speaker.resolution(resolution, plan.text, entities)
                return sent, with_slots(context, resolution.slots), resolution.slots
            plan = PartPlan("unanswered", plan.name, plan.text)
        if plan.kind == "response":
            intent = plan.name.removeprefix("utter_")
            slots = {"topic": intent}
            if intent in table.subjects_by_intent:
                slots["subject"] = table.subjects_by_intent[intent]
            return speaker.response(plan.name)[0], with_slots(context, slots), slots
        if plan.kind == "clinic":
            entities = entities_by_name(parse.get("entities") or [])
            clinic = named_in(speaker.directory, entities)
            text = clinic_answer(
                plan.name, speaker.directory, clinic, plan.text, entities, speaker.sms, speaker.language
            )
            slots = {"topic": plan.name, "subject": "clinic"} | ({"clinic_context": clinic.name} if clinic else {})
            sent = {"text": text, "utter_action": CLINIC_ANSWER_ACTIONS[plan.name]}
            return sent, with_slots(context, slots), slots
        if plan.kind == "person":
            return {}, context, {}
        return speaker.message("part_not_answered", part=plan.text.rstrip("?. "))[0], context, {}


class ActionAnswerNoise(Action):
    """Emoji, punctuation or a keyboard mash: what the assistant can do, with the suggested questions."""

    def name(self) -> str:
        return "action_answer_noise"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(tracker, domain)
        sent, _ = speaker.message("noise_reply")
        # A suggestion is sent as if typed, as the web chat's greeting sends it.
        suggestions = speaker.directory.brand.suggestions if speaker.directory.brand else ()
        sent["buttons"] = [{"title": s, "payload": s} for s in suggestions]
        dispatcher.utter_message(**sent)
        return []


class ActionClinicServices(Action):
    """Which clinic offers a service, from the directory's service lists."""

    def name(self) -> str:
        return "action_clinic_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(tracker, domain)
        text = tracker.latest_message.get("text") or ""
        phone = speaker.directory.group_phone
        matches = services_asked(text, speaker.directory)
        offered = [m for m in matches if m.clinics]
        if offered:
            match = offered[0]
            clinics = "; ".join(f"{clinic.name} ({entry})" for clinic, entry in match.clinics)
            sent, _ = speaker.message("services_offered", service=match.service, clinics=clinics, phone=phone)
        else:
            everything = sorted({entry for clinic in speaker.directory.clinics for entry in clinic.services})
            service = matches[0].service if matches else text
            sent, _ = speaker.message(
                "services_not_offered", service=service, offered=", ".join(everything), phone=phone
            )
        dispatcher.utter_message(**sent)
        return []


class ActionInsurancePlan(Action):
    """ "Do you take <plan>?" from the directory's plan lists (sample data): confirm with the clinic."""

    def name(self) -> str:
        return "action_insurance_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(tracker, domain)
        plan = asks_about_a_plan(tracker.latest_message.get("text") or "")
        if plan is None:
            sent, _ = speaker.response("utter_cost_insurance")
        else:
            name = "insurance_plan_listed" if plan.accepted else "insurance_plan_not_listed"
            sent, _ = speaker.message(name, plan=plan.name, phone=speaker.directory.group_phone)
        dispatcher.utter_message(**sent)
        return [SlotSet("topic", "cost_insurance")]
