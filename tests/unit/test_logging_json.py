"""JSON log lines with phone numbers and e-mail addresses redacted."""

import json
import logging
import subprocess
import sys

import pytest

from clinic.logging_json import JsonFormatter, redact
from harness.servers import ROOT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me at 714-555-0123 or (949) 555 0199", "call me at [phone] or [phone]"),
        ("text +1 714 555 0148 tonight", "text [phone] tonight"),
        ("my uk number is +44 20 7946 0958", "my uk number is [phone]"),
        ("write to Maria.Lopez+pain@example.co.uk please", "write to [email] please"),
        ("7145550148", "[phone]"),
    ],
)
def test_phone_numbers_and_emails_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "event=escalation.created escalation_id=8a4f3c1e-5d2b-4e6f-9a7c-0b1d2e3f4a5b",
        "conversation web-4f7b436e9b404a10ba07b7145550148f64f",
        "sms-0123456789abcdef7145550148abcdef took 3 pills at 2026-11-25 15:32:44, zip 92618",
    ],
)
def test_ids_dates_and_short_numbers_are_kept(text):
    assert redact(text) == text


def format_record(message: str, *args, exc_info=None) -> dict:
    record = logging.LogRecord("rasa.core.processor", logging.INFO, __file__, 1, message, args, exc_info)
    return json.loads(JsonFormatter().format(record))


def test_a_record_is_one_json_object_with_the_event_name():
    entry = format_record("event=sms.rate_limited message_sid=%s sender=%s", "SM1", "sms-abc")
    assert entry["event"] == "sms.rate_limited" and entry["logger"] == "rasa.core.processor"
    assert entry["message"] == "event=sms.rate_limited message_sid=SM1 sender=sms-abc"
    assert {"time", "level", "pid"} <= entry.keys()


def test_arguments_and_exceptions_are_redacted_too():
    try:
        raise ValueError("bad contact maria@example.com")
    except ValueError:
        entry = format_record("Received user message '%s'", "I'm at 949-555-0199", exc_info=sys.exc_info())
    assert entry["message"] == "Received user message 'I'm at [phone]'"
    assert "maria@example.com" not in entry["exception"] and "[email]" in entry["exception"]
    assert "\n" not in JsonFormatter().format(logging.makeLogRecord({"msg": "two\nlines"}))


def test_the_launcher_refuses_to_run_without_a_logging_config():
    result = subprocess.run(
        [sys.executable, "-m", "clinic.logging_json", "rasa", "run"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0 and "--logging-config-file" in result.stderr
