"""Which clinic offers a service, from the directory's service lists (issue 17)."""

from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.services import names_a_service, services_asked
from clinic.directory import default_directory
from clinic.nlu.services import ServiceQuestionMarker


def offering(text):
    return [(m.service, [(c.name, entry) for c, entry in m.clinics]) for m in services_asked(text, default_directory())]


def test_each_clinic_offering_a_service_is_named_with_its_own_entry():
    assert offering("which clinic has physical therapy?") == [
        ("physical therapy", [("Orange", "physical therapy referrals"), ("Laguna Hills", "physical therapy")])
    ]
    assert offering("can i see a pain psychologist at one of your offices") == [
        ("cbt", [("Irvine", "CBT and pain psychology")])
    ]


def test_a_service_question_needs_our_clinics_in_it_and_no_day():
    assert names_a_service("do u do pt at any of ur offices") == "physical therapy"
    assert names_a_service("does physical therapy help fibromyalgia") is None, "a question about the treatment"
    assert names_a_service("do you offer infusions on saturday") is None, "a question about hours"


def _message(text, intent):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.6})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.6}])
    return message


def test_the_marker_takes_service_questions_and_leaves_safety_and_other_shapes_alone():
    [service] = ServiceQuestionMarker().process(
        [_message("which clinic has physical therapy?", "treatment_physical_therapy")]
    )
    assert service.get("intent")["name"] == "clinic_services"
    for intent in ("crisis", "possible_crisis", "several_questions", "follow_up"):
        [kept] = ServiceQuestionMarker().process([_message("which clinic has physical therapy?", intent)])
        assert kept.get("intent")["name"] == intent
