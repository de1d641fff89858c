import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionConfirmTopic
from actions.session import ActionSessionStart


def tracker_with_ranking(ranking):
    return Tracker(
        sender_id="visitor",
        slots={},
        latest_message={"text": "kettamine how quick", "intent": ranking[0], "intent_ranking": ranking},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def test_session_start_opens_with_the_disclaimer(domain):
    dispatcher = CollectingDispatcher()
    tracker = tracker_with_ranking([{"name": "greet"}])
    tracker.slots["session_started_metadata"] = {"opening_language": ""}
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert [m["text"] for m in dispatcher.messages] == [domain["responses"]["utter_disclaimer"][0]["text"]]
    assert events == [SessionStarted(), SlotSet("language", None), ActionExecuted("action_listen")]


async def test_a_session_the_http_api_opens_gets_no_note(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, tracker_with_ranking([{"name": "greet"}]), domain)
    assert dispatcher.messages == []
    assert events == [SessionStarted(), SlotSet("language", None), ActionExecuted("action_listen")]


@pytest.mark.parametrize(
    "metadata",
    [
        {"language": "es", "opening_language": ""},
        {"opening_language": "es"},
        {"language": "es", "opening_language": "en"},
    ],
)
async def test_session_start_speaks_the_widgets_language_or_the_first_messages(domain, metadata):
    dispatcher = CollectingDispatcher()
    tracker = tracker_with_ranking([{"name": "greet"}])
    tracker.slots["session_started_metadata"] = metadata
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert [m["text"] for m in dispatcher.messages] == [
        "Doy información general, no consejo médico. En una emergencia, llame al 911."
    ]
    assert SlotSet("language", "es") in events


async def test_affirmation_offers_the_best_guess_in_plain_words():
    dispatcher = CollectingDispatcher()
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "ketamine_onset", "confidence": 0.28},
        {"name": "ketamine_duration", "confidence": 0.2},
    ]
    await ActionConfirmTopic().run(dispatcher, tracker_with_ranking(ranking), {})
    [message] = dispatcher.messages
    assert "how fast ketamine works" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/ketamine_onset", "/deny", "/request_human"]


async def test_affirmation_asks_to_rephrase_when_nothing_can_be_offered():
    dispatcher = CollectingDispatcher()
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "out_of_scope", "confidence": 0.2}]
    await ActionConfirmTopic().run(dispatcher, tracker_with_ranking(ranking), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]


async def test_session_start_leaves_the_note_out_when_the_first_message_is_a_crisis(domain):
    dispatcher = CollectingDispatcher()
    tracker = tracker_with_ranking([{"name": "crisis"}])
    tracker.slots["session_started_metadata"] = {"crisis_first": True}
    await ActionSessionStart().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
