"""Renders deploy/nginx.conf, the reverse proxy in front of several Rasa replicas.

Only ${UPPER_CASE} placeholders are ours; nginx's own $variables are left alone.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


def render(listen: str, replicas: list[str], prefix: Path, template: Path = TEMPLATE) -> str:
    """The config for nginx listening on ``listen`` (``port`` or ``host:port``) over ``replicas``."""
    if not replicas:
        raise ValueError("at least one Rasa replica (host:port) is needed")
    values = {
        "LISTEN": listen,
        "PREFIX": str(prefix.resolve()),
        "UPSTREAM_SERVERS": "\n".join(f"        server {replica};" for replica in replicas),
    }

    def fill(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise KeyError(f"{template} has an unknown placeholder {match.group(0)}")
        return values[match.group(1)]

    return PLACEHOLDER.sub(fill, template.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clinic.nginx_conf", description=__doc__)
    parser.add_argument("--listen", required=True, help="port or host:port nginx listens on")
    parser.add_argument("--replica", action="append", required=True, help="host:port of a Rasa replica")
    parser.add_argument("--prefix", type=Path, required=True, help="nginx prefix (pid and temp files)")
    args = parser.parse_args(argv)
    print(render(args.listen, args.replica, args.prefix), end="")


if __name__ == "__main__":
    main()
