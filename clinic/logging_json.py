"""Log records as JSON lines, with phone numbers and e-mail addresses redacted.

Used by the production logging config (deploy/logging.yml) of both the Rasa server and the
action server. Our own log lines carry an event name and ids only, but Rasa and libraries may
log message text; whatever they log passes through ``redact`` first.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

import phonenumbers

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
EVENT = re.compile(r"^event=(\S+)")
PHONE_MARK = "[phone]"
EMAIL_MARK = "[email]"


def redact(text: str) -> str:
    """``text`` with every e-mail address and anything that could be a phone number replaced."""
    text = EMAIL.sub(EMAIL_MARK, text)
    # POSSIBLE, not VALID: fictional 555 numbers and foreign numbers are still someone's data.
    matches = list(phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE))
    for match in reversed(matches):
        text = text[: match.start] + PHONE_MARK + text[match.end :]
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, process, event (when named), message."""

    def format(self, record: logging.LogRecord) -> str:
        message = redact(record.getMessage())
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
        }
        event = EVENT.match(message)
        if event:
            entry["event"] = event.group(1)
        entry["message"] = message
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def main() -> None:
    """``python -m clinic.logging_json <rasa arguments>``: Rasa's command line with JSON logs kept.

    Rasa 3.6 applies ``--logging-config-file`` and then installs coloredlogs, which replaces
    every handler writing to stdout or stderr (RasaHQ/rasa#13023). Skipping coloredlogs keeps
    the handlers of the logging config; everything else is Rasa's own ``main``.
    """
    import rasa.__main__
    import rasa.utils.io

    rasa.utils.io.configure_colored_logging = lambda loglevel: None
    rasa.__main__.main()


if __name__ == "__main__":
    main()
