"""Log records as JSON lines, with phone numbers and e-mail addresses redacted.

Used by the production logging config (deploy/logging.yml) of both the Rasa server and the
action server. Our own log lines carry an event name and ids only, but Rasa and libraries may
log message text; whatever they log passes through ``redact`` first.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
import yaml

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
EVENT = re.compile(r"^event=(\S+)")
PHONE_MARK = "[phone]"
EMAIL_MARK = "[email]"


def redact(text: str) -> str:
    """``text`` with every e-mail address and anything that could be a phone number replaced."""
    text = EMAIL.sub(EMAIL_MARK, text)
    # POSSIBLE, not VALID: fictional 555 numbers and foreign numbers are still someone's data.
    matches = phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in reversed([m for m in matches if not _inside_a_word(text, m.start, m.end)]):
        text = text[: match.start] + PHONE_MARK + text[match.end :]
    return text


def _inside_a_word(text: str, start: int, end: int) -> bool:
    """Digits within an id such as a conversation id's hex are not a phone number."""
    return (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum())


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


LOGGING_CONFIG_OPTIONS = ("--logging-config-file", "--logging-config_file")  # rasa, rasa_sdk 3.6


def main(argv: list[str] | None = None) -> None:
    """``python -m clinic.logging_json {rasa|rasa_sdk} <arguments>``: their command lines, JSON logs only.

    The logging config named by ``--logging-config-file`` (rasa_sdk: ``--logging-config_file``)
    is applied before anything is imported, and Python warnings go through it, so even
    import-time warnings are JSON lines. Rasa 3.6 applies the config and then installs
    coloredlogs, which replaces every handler writing to stdout or stderr (RasaHQ/rasa#13023),
    and Sanic configures plain-text handlers of its own: both are skipped here.
    """
    program, *arguments = sys.argv[1:] if argv is None else argv
    if program not in ("rasa", "rasa_sdk"):
        raise SystemExit("usage: python -m clinic.logging_json {rasa|rasa_sdk} <arguments>")
    options = [i for i, argument in enumerate(arguments) if argument in LOGGING_CONFIG_OPTIONS]
    if not options or options[0] + 1 >= len(arguments):
        raise SystemExit("the JSON logs need --logging-config-file <deploy/logging.yml>")
    config_path = Path(arguments[options[0] + 1])
    logging.config.dictConfig(yaml.safe_load(config_path.read_text(encoding="utf-8")))
    logging.captureWarnings(True)

    from sanic.log import LOGGING_CONFIG_DEFAULTS

    LOGGING_CONFIG_DEFAULTS["loggers"] = {}
    sys.argv = [program, *arguments]
    if program == "rasa":
        from clinic import rasa_server

        # The same server as `python -m clinic.rasa_server`: the API token from the environment,
        # TensorFlow kept out, Rasa's hot spots fixed.
        sys.argv = [program, *rasa_server.prepare(arguments)]
        import rasa.__main__
        import rasa.utils.io

        rasa.utils.io.configure_colored_logging = lambda loglevel: None
        rasa.__main__.main()
    else:
        from clinic import action_server

        # The same server as `python -m clinic.action_server`: loopback, token, JSON bodies only.
        action_server.prepare()
        import rasa_sdk.__main__

        rasa_sdk.__main__.main()


if __name__ == "__main__":
    main()
