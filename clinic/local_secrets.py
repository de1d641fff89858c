"""Secrets from the environment, or made once per machine and kept in the local var/ folder.

So no secret ever lives in the repository, and the embedded set-up still works untouched.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def var_dir() -> Path:
    return Path(os.environ.get("CLINIC_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))


def local_secret(env_name: str, file_name: str) -> str:
    """The secret in ``env_name``, else a random one generated once into var/``file_name``."""
    configured = os.environ.get(env_name)
    if configured:
        return configured
    path = var_dir() / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()
