"""Every response and every custom-action message the SMS channel can send arrives whole.

Each is rendered as the SMS channel renders it (clinic/sms_render.py: plain text, numbered menu,
at most three segments), in English and Spanish where a message has Spanish, with its
placeholders filled by long realistic values; the reply must fit without the renderer's
ellipsis. A web text too long for SMS needs an SMS variant with its key sentence first.
"""

from __future__ import annotations

import string

import pytest
import yaml

from clinic.messages import load_messages
from clinic.sms_render import ELLIPSIS, MAX_SEGMENTS, render_sms
from harness.servers import ROOT

# Long but realistic values for the placeholders of content/messages.yml.
PLACEHOLDERS = {
    "phone": "(949) 555-0100",
    "contact": "firstname.lastname@example-mail.org",
    "clinic": "OC Fibromyalgia & Ketamine Clinics",
    "thanks": "Thank you, Guadalupe.",
    "when": "on a weekday morning between 9:00 AM and 12:00 PM",
    "part": "what is the best way to get there from the airport with my walker",
    "count": "3",
    "subject": "medications",
    "what": "transit",
    "note": "Near the Irvine Station Metrolink, about a 10-minute walk (sample note).",
    "address": "300 Placeholder Road, Suite 300 (sample address), Laguna Hills 92653",
    "service": "medication management",
    "plan": "Blue Shield of California",
    "clinics": "Orange (physical therapy referrals); Laguna Hills (physical therapy)",
    "offered": "CBT and pain psychology, IV ketamine infusions, consultations, medication management, "
    "physical therapy, physical therapy referrals",
    "staff_name": "Maria Fernanda",
    "staff_role": "patient coordinator",
    "text": "Hi, this is Maria from the Irvine clinic. I can help you book a consultation this week.",
    # Spanish support (issue 18) moved the finder's, hours' and callback sentences into messages.
    "topic": "Ketamine infusion side effects",
    "first_name": "Guadalupe",
    "starts": "10:00 AM",
    "ends": "12:00 PM",
    "weekday": "Wednesday",
    "date": "Wednesday, September 30",
    "name": "Laguna Hills",
    "where": "300 Placeholder Road, Suite 300, Laguna Hills 92653",
    "map": "https://maps.google.com/?q=300+Placeholder+Road+Laguna+Hills+92653",
    "lead": "The closest clinic to San Juan Capistrano is Laguna Hills, about 9 miles away. ",
    "names": "Orange, Irvine, Laguna Hills",
    "city": "Laguna Hills",
    "place": "San Juan Capistrano",
    "miles": "12",
    "county": "San Bernardino",
    "opens": "8:00 AM",
    "closes": "5:00 PM",
    "holiday": "Thanksgiving Day",
    "time": "10:30 AM",
    "label": "tomorrow (Wednesday)",
    "email": "lagunahills@example-clinic.org",
    "options": "1 for What is fibromyalgia?, 2 for How does ketamine help?, 3 for Where are your clinics?",
    "number": "3",
    "title": "Where are your clinics?",
}


def sms_variant(variants: list[dict]) -> list[dict]:
    """The variants the SMS channel may send: its own, else the channel-free ones."""
    for_sms = [v for v in variants if v.get("channel") in ("sms", "twilio")]
    return for_sms or [v for v in variants if not v.get("channel")]


def fill(text: str) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return text.format(**{name: PLACEHOLDERS[name] for name in names})


def domain_cases() -> list[tuple[str, dict]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [(name, variant) for name, variants in domain["responses"].items() for variant in sms_variant(variants)]


def message_cases() -> list[tuple[str, dict]]:
    cases = []
    for name, entry in load_messages().items():
        for language, fields in (("en", entry), ("es", entry.get("es"))):
            if fields:
                text = fields.get("sms") or fields["text"]
                cases.append((f"{name} ({language})", {"text": text, "buttons": fields.get("buttons")}))
    return cases


def assert_whole(message: dict) -> None:
    reply = render_sms([{"text": fill(message.get("text") or ""), "buttons": message.get("buttons")}])
    assert len(reply.segments) <= MAX_SEGMENTS
    assert not any(segment.endswith(ELLIPSIS) for segment in reply.segments), reply.segments


@pytest.mark.parametrize(("name", "variant"), domain_cases(), ids=[name for name, _ in domain_cases()])
def test_every_domain_response_fits_an_sms_reply_whole(name, variant):
    assert_whole(variant)


@pytest.mark.parametrize(("name", "message"), message_cases(), ids=[name for name, _ in message_cases()])
def test_every_action_message_and_form_prompt_fits_an_sms_reply_whole(name, message):
    assert_whole(message)


def test_the_check_fails_on_a_text_the_renderer_would_cut():
    with pytest.raises(AssertionError):
        assert_whole({"text": "A long sentence about ketamine and fibromyalgia. " * 20})
