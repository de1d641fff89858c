"""Histories show a button's title, never its payload, also when "1" was typed over SMS."""

from rasa.shared.core.events import BotUttered

from staff.escalations.tracker import last_visitor_messages

CONSENT_BUTTONS = [{"title": "Yes, please contact me", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_the_queues_last_visitor_message_is_the_buttons_title(tracker_store):
    consent = BotUttered(
        "May our clinic team contact you?", {"buttons": CONSENT_BUTTONS}, timestamp=tracker_store.tick()
    )
    # Over SMS the visitor typed "1"; the channel sent Rasa the payload of the numbered choice.
    tracker_store.add("sms-abc", tracker_store.user("/affirm", "affirm", channel="sms"), consent)
    tracker_store.add("sms-abc", tracker_store.user("/affirm", "affirm", channel="sms"))
    tracker_store.add("web-1", consent, tracker_store.user("/deny", "deny"))
    tracker_store.add("web-2", tracker_store.user("/restart", "greet"))
    latest = last_visitor_messages(["sms-abc", "web-1", "web-2"], tracker_store.url)
    assert latest["sms-abc"].data["text"] == "Yes, please contact me"
    assert latest["web-1"].data["text"] == "No"
    assert latest["web-2"].data["text"] == "/restart", "typed, not a button offered"
