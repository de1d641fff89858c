"""Settings production mode refuses to start without: `python -m clinic.production_checks` (bin/run-prod).

Each problem is printed on its own line with what to do; the exit status is 1 if there is any,
so the start-up script stops before a single server runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# An HMAC key shorter than this is guessable, or a placeholder.
MIN_SECRET_LENGTH = 16


def problems(env: Mapping[str, str]) -> list[str]:
    found = []
    if len(env.get("STAFF_WEBHOOK_SECRET", "").strip()) < MIN_SECRET_LENGTH:
        found.append(
            "STAFF_WEBHOOK_SECRET is empty or shorter than 16 characters: staff alerts are signed with it, "
            "and without it anyone could forge them. Set it in .env (see .env.example) and give the "
            "receiver of STAFF_WEBHOOK_URL the same value."
        )
    return found


def main() -> int:
    found = problems(os.environ)
    for problem in found:
        print(f"production mode refuses to start: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
