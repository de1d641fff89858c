"""Several questions in one message: what answers each part, SMS fitting, and the NLU components."""

from rasa.shared.nlu.training_data.message import Message

from clinic.conversation.several import fit_sms, key_sentence, plan_part
from clinic.nlu.follow_ups import FollowUpMarker
from clinic.nlu.noise import NoiseMarker
from clinic.nlu.question_splitter import QuestionSplitter
from clinic.sms_render import ELLIPSIS, render_sms

RESPONSES = ["utter_ketamine_onset", "utter_cost_insurance", "utter_greet"]


def parsed(intent, confidence=0.8):
    return {"intent": {"name": intent, "confidence": confidence}}


def test_each_part_is_planned_by_its_own_intent():
    assert plan_part("how soon", parsed("ketamine_onset"), RESPONSES).name == "utter_ketamine_onset"
    assert plan_part("where are you", parsed("clinic_locations"), RESPONSES).kind == "clinic"
    assert plan_part("book me in", parsed("book_appointment"), RESPONSES).kind == "person"
    assert plan_part("how long does it", parsed("follow_up", 1.0), RESPONSES).kind == "follow_up"
    assert plan_part("i want to die", parsed("crisis", 1.0), RESPONSES).kind == "crisis"


def test_a_part_not_understood_is_reported_not_guessed():
    assert plan_part("what's the weather", parsed("out_of_scope", 0.9), RESPONSES).kind == "unanswered"
    assert plan_part("how soon", parsed("ketamine_onset", 0.2), RESPONSES).kind == "unanswered"
    assert plan_part("x", parsed("ketamine_mechanism"), RESPONSES).kind == "unanswered", "no response to send"


LONG = [
    "Common ketamine effects: feeling detached or dreamlike, higher blood pressure and heart rate, nausea, "
    "dizziness, blurred vision, headache. They usually fade within hours. Misuse and addiction are possible.",
    "Ketamine infusions for pain are usually not covered by insurance because the use is off-label. "
    "Consultations and traditional fibromyalgia care are often covered, depending on your plan.",
    "There is no single standard schedule. A common plan is several IV infusions over 1 to 2 weeks, each "
    "lasting about 1 to 4 hours, then boosters if relief fades.",
]


def test_over_sms_every_answer_keeps_its_key_sentence_and_the_reply_fits_without_an_ellipsis():
    fitted = fit_sms(LONG)
    for answer, full in zip(fitted, LONG, strict=True):
        assert key_sentence(full).startswith(answer.rstrip(".")), "each answer starts with its key sentence"
    reply = render_sms({"text": text} for text in fitted)
    assert len(reply.segments) <= 3
    assert not any(segment.endswith(ELLIPSIS) for segment in reply.segments)
    unfitted = render_sms({"text": text} for text in LONG)
    assert unfitted.segments[-1].endswith(ELLIPSIS), "without fitting, the renderer would cut the reply"


def test_short_answers_are_sent_whole_over_sms():
    assert fit_sms(["Irvine: 8 AM to 6 PM.", "Call (949) 555-0100."]) == [
        "Irvine: 8 AM to 6 PM.",
        "Call (949) 555-0100.",
    ]


def _message(text, intent="ketamine_onset", confidence=0.7, entities=()):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    message.set("entities", list(entities))
    return message


def test_the_splitter_marks_several_questions_and_keeps_the_classifiers_ranking():
    [message] = QuestionSplitter().process([_message("how fast does it work and what does it cost?")])
    assert message.get("intent")["name"] == "several_questions"
    assert message.get("question_parts") == ["how fast does it work", "what does it cost?"]
    assert [r["name"] for r in message.get("intent_ranking")] == ["several_questions", "ketamine_onset"]
    assert message.as_dict(only_output_properties=True)["question_parts"], "the parts reach the tracker"


def test_the_splitter_undoes_a_learned_several_questions_guess_on_one_question():
    message = _message("how fast does ketamine work", "several_questions", 0.5)
    message.set(
        "intent_ranking",
        [{"name": "several_questions", "confidence": 0.5}, {"name": "ketamine_onset", "confidence": 0.4}],
    )
    [message] = QuestionSplitter().process([message])
    assert message.get("intent")["name"] == "ketamine_onset"


def test_the_follow_up_marker_marks_follow_ups_only():
    [follow_up] = FollowUpMarker().process([_message("and how long does it last?", "ketamine_duration")])
    assert follow_up.get("intent")["name"] == "follow_up"
    assert follow_up.get("intent_ranking")[1]["name"] == "ketamine_duration"
    [standalone] = FollowUpMarker().process([_message("how long does ketamine relief last", "ketamine_duration")])
    assert standalone.get("intent")["name"] == "ketamine_duration"
    [thanks] = FollowUpMarker().process([_message("thanks, that helps", "thank_you", 0.9)])
    assert thanks.get("intent")["name"] == "thank_you"


def test_no_dialogue_component_overrides_the_crisis_screen():
    for intent in ("crisis", "possible_crisis"):
        message = _message("i want to end it all and how long does ketamine last?", intent, 1.0)
        for component in (QuestionSplitter(), FollowUpMarker(), NoiseMarker()):
            [message] = component.process([message])
        assert message.get("intent")["name"] == intent
        assert message.get("question_parts") is None
