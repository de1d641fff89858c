"""The Rasa server: ``python -m clinic.rasa_server run ...``, Rasa's own command line.

Before Rasa is imported, TensorFlow is kept out when the model needs none
(clinic/tensorflow_free.py); then the fixes of Rasa 3.6 hot spots are installed
(clinic/rasa_fixes.py). clinic/logging_json.py starts the server the same way, with JSON logs.
"""

from __future__ import annotations

import sys

from clinic.tensorflow_free import keep_tensorflow_out_of


def prepare(rasa_arguments: list[str]) -> None:
    """Everything done to this process before ``rasa <rasa_arguments>`` runs in it."""
    keep_tensorflow_out_of(rasa_arguments)
    from clinic import rasa_fixes, rasa_staff_mode

    rasa_fixes.install()
    rasa_staff_mode.install()


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    prepare(arguments)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
