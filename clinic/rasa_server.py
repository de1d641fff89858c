"""The Rasa server: ``python -m clinic.rasa_server run ...``, Rasa's own command line.

Before Rasa is imported, TensorFlow is kept out when the model needs none
(clinic/tensorflow_free.py); then the fixes of Rasa 3.6 hot spots are installed
(clinic/rasa_fixes.py). clinic/logging_json.py starts the server the same way, with JSON logs.

The crisis screen's model and lexicon are loaded before Rasa starts: without them every
message would fail, so the server refuses to start and says how to build them. The language
identifier is loaded then too, so the first visitor does not wait for its models.

Two settings are applied here rather than on the command line:

- the HTTP API's token comes from RASA_API_TOKEN (or var/rasa-api-token), never from
  ``--auth-token``, which ``ps`` would show to every user of the machine;
- Sanic's request size limit (``SANIC_REQUEST_MAX_SIZE``) defaults to 1 MiB, not Sanic's 100 MB:
  the largest message a channel takes is 20,000 characters.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from clinic.rasa_api import api_token
from clinic.tensorflow_free import keep_tensorflow_out_of

REQUEST_MAX_SIZE = 1024 * 1024


def with_api_token(rasa_arguments: list[str]) -> list[str]:
    """``rasa_arguments`` with the API token added in this process, where ``ps`` cannot see it."""
    if "--auth-token" in rasa_arguments or any(a.startswith("--auth-token=") for a in rasa_arguments):
        raise SystemExit("Pass the API token in RASA_API_TOKEN, not --auth-token: ps shows command lines")
    if "--enable-api" not in rasa_arguments:
        return rasa_arguments
    # One argument: a random token may start with "-", which argparse would take for an option.
    return [*rasa_arguments, f"--auth-token={api_token()}"]


def load_crisis_screen(lexicon: Path | None = None, model: Path | None = None) -> None:
    """Loads the crisis screen this process serves with; a clear exit when it cannot."""
    from clinic.safety.decision import CrisisDetector

    paths = {name: path for name, path in (("lexicon", lexicon), ("model", model)) if path is not None}
    try:
        CrisisDetector.load(**paths)
    except (OSError, ValueError) as error:
        raise SystemExit(f"The crisis screen cannot be loaded, so the server will not start: {error}") from error


def prepare(rasa_arguments: list[str]) -> list[str]:
    """Everything done to this process before Rasa runs in it; the arguments to run Rasa with."""
    arguments = with_api_token(rasa_arguments)
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_SIZE))
    keep_tensorflow_out_of(arguments)
    if arguments[:1] == ["run"]:
        load_crisis_screen()
        from clinic.language import LanguageIdentifier

        LanguageIdentifier.load()
    from clinic import rasa_fixes, rasa_staff_mode

    rasa_fixes.install()
    rasa_staff_mode.install()
    return arguments


def main(argv: list[str] | None = None) -> None:
    arguments = prepare(sys.argv[1:] if argv is None else argv)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
