"""Secrets from the environment, or made once per machine and kept in the local var/ folder.

So no secret ever lives in the repository, and the embedded set-up still works untouched.
var/ holds secrets, conversations and escalations, so it is the owner's alone: the folder is
mode 0700 and every secret and database in it 0600, whatever the umask.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# Secret files already made private by this process: later reads skip the mode checks.
_private: set[Path] = set()


def var_dir() -> Path:
    return Path(os.environ.get("CLINIC_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))


def private_dir(path: Path) -> Path:
    """``path`` created if missing, mode 0700 (also when it already existed, looser)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` created empty if missing (before a database opens it), mode 0600, in a private folder.

    SQLite gives its journal and WAL files the database file's mode, so those follow.
    """
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE))
    if path.stat().st_mode & 0o777 != PRIVATE_FILE_MODE:
        path.chmod(PRIVATE_FILE_MODE)
    return path


def local_secret(env_name: str, file_name: str) -> str:
    """The secret in ``env_name``, else a random one generated once into var/``file_name``."""
    configured = os.environ.get(env_name)
    if configured:
        return configured
    path = var_dir() / file_name
    if path not in _private or not path.exists():
        _create_private(path)
    return path.read_text(encoding="utf-8").strip()


def _create_private(path: Path) -> None:
    """Makes the secret file once (if missing), and it and its folder private."""
    private_dir(path.parent)
    if not path.exists():
        # Written aside, then linked into place: of two processes starting together, one
        # secret wins and neither ever reads a half-written file.
        partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partial")
        descriptor = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(partial, path)
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    _private.add(private_file(path))
