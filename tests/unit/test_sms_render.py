"""SMS rendering: plain text, numbered menus, segments of 153 GSM-7 or 67 UCS-2 characters."""

from clinic.sms_render import (
    GSM7_SEGMENT,
    UCS2_SEGMENT,
    is_gsm7,
    numbered_menu,
    plain_text,
    render_sms,
    sms_length,
    split_segments,
)

LONG = " ".join(f"Sentence number {i} is about fibromyalgia care." for i in range(20))


def test_gsm7_detection_and_lengths():
    assert is_gsm7("Call (949) 555-0100 now.")
    assert not is_gsm7("Pain 😭")
    assert sms_length("a€", gsm7=True) == 3
    assert sms_length("😭", gsm7=False) == 2


def test_short_text_is_one_segment():
    assert split_segments("Short answer.") == ["Short answer."]


def test_long_text_splits_at_sentence_boundaries_into_at_most_three_segments():
    segments = split_segments(LONG)
    assert len(segments) == 3
    assert all(len(s) <= GSM7_SEGMENT for s in segments)
    assert segments[0].endswith("care.") and segments[1].startswith("Sentence number")
    assert segments[-1].endswith("...")


def test_emoji_switches_to_ucs2_segments():
    text = "I hurt 😭. " + " ".join(f"Line {i} of my story." for i in range(10))
    segments = split_segments(text)
    assert all(sms_length(s, gsm7=False) <= UCS2_SEGMENT for s in segments)
    assert len(segments) == 3


def test_an_overlong_sentence_is_cut_at_words():
    segments = split_segments("word " * 60)
    assert all(len(s) <= GSM7_SEGMENT for s in segments) and not segments[0].endswith(" wo")


def test_markdown_is_removed():
    assert plain_text("**Bold** and [a map](https://maps.google.com/?q=1,2)\n* item") == (
        "Bold and a map https://maps.google.com/?q=1,2\n- item"
    )


def test_buttons_become_a_numbered_menu_with_their_payloads():
    reply = render_sms(
        [
            {
                "text": "Would you like a call?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            }
        ]
    )
    assert reply.segments == ["Would you like a call? Reply 1 for Yes, 2 for No."]
    assert reply.menu_payloads == ["/affirm", "/deny"]
    assert numbered_menu([{"title": "A"}]) == "Reply 1 for A."


def test_menu_survives_a_long_answer():
    reply = render_sms([{"text": LONG, "buttons": [{"title": "Yes", "payload": "/affirm"}]}])
    assert len(reply.segments) == 3 and reply.segments[-1] == "Reply 1 for Yes."
