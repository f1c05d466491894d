"""The secret key behind pseudonymous ids: made once, kept outside the repository, never written in code.

Where a key is looked for, in order:

1. a key file passed explicitly (``load_key(path)``);
2. the environment variable ``CM_RESEARCH_KEY`` holding the key itself (64 hexadecimal characters);
3. the environment variable ``CM_RESEARCH_KEY_FILE`` naming a key file;
4. the default key file, ``$XDG_CONFIG_HOME/cm_research/pseudonym.key`` (``~/.config/cm_research/pseudonym.key``),
   which is where ``cm-research keygen`` writes when given no path.

A key file is refused when it sits inside a git repository (it could be committed) and is written readable by
its owner only. Lose the key and next year's files get different pseudonyms: keep a copy where the evaluation
keeps its other secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cm_research.privacy.errors import KeyFileError, MissingKeyError

KEY_ENV = "CM_RESEARCH_KEY"
KEY_FILE_ENV = "CM_RESEARCH_KEY_FILE"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
_HEADER = (
    "# cm_research pseudonymisation key. Keep it secret and keep a safe copy: the same key gives the same\n"
    "# pseudonyms every year. Never put this file in a repository, a shared drive or an email.\n"
)

HOW_TO_MAKE_A_KEY = (
    "Make one with `cm-research keygen` (it writes {default}, outside any repository), "
    f"or set {KEY_FILE_ENV} to the path of a key file, or {KEY_ENV} to the key itself. "
    "Use the same key every year, or the same child will get a different pseudonym."
)


def default_key_path() -> Path:
    """``$XDG_CONFIG_HOME/cm_research/pseudonym.key``, or ``~/.config/cm_research/pseudonym.key``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cm_research" / "pseudonym.key"


@dataclass(frozen=True)
class Key:
    """A pseudonymisation key. Its ``repr`` never shows the secret; ``fingerprint`` names it safely in a report."""

    secret: bytes = field(repr=False)
    source: str

    @property
    def fingerprint(self) -> str:
        """First 12 hex characters of HMAC-SHA256(key, "cm_research key fingerprint"): tells keys apart, reveals nothing."""
        return hmac.new(self.secret, b"cm_research key fingerprint", hashlib.sha256).hexdigest()[:12]


def _repository_of(path: Path) -> Path | None:
    for folder in (path.parent, *path.parent.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _parse_key(text: str, where: str) -> bytes:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    if len(lines) != 1:
        raise KeyFileError(f"{where}: expected one line of hexadecimal key, found {len(lines)} non-comment lines")
    try:
        secret = bytes.fromhex(lines[0])
    except ValueError:
        raise KeyFileError(f"{where}: the key is not hexadecimal (0-9, a-f)") from None
    if len(secret) < MIN_KEY_BYTES:
        raise KeyFileError(f"{where}: the key has {len(secret)} bytes; at least {MIN_KEY_BYTES} are needed")
    return secret


def generate_key_file(path: str | Path | None = None, overwrite: bool = False) -> Path:
    """Write a new random 256-bit key to ``path`` (default: ``default_key_path()``), readable by its owner only.

    Refuses a path inside a git repository, and refuses to replace an existing key unless ``overwrite=True``
    (a replaced key breaks the link between this year's pseudonyms and last year's).
    Returns the path written. This is what ``cm-research keygen [PATH]`` runs.
    """
    path = Path(path).expanduser().resolve() if path else default_key_path()
    repo = _repository_of(path)
    if repo is not None:
        raise KeyFileError(f"{path}: refusing to write a key inside the git repository {repo}, where it could be "
                           "committed. Choose a path outside it, e.g. the default " + str(default_key_path()))
    if path.exists() and not overwrite:
        raise KeyFileError(f"{path}: a key already exists. Replacing it would give every child a new pseudonym; "
                           "if that is really wanted, delete the file first")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(_HEADER + secrets.token_hex(KEY_BYTES) + "\n")
    os.chmod(path, 0o600)
    return path


def read_key_file(path: str | Path) -> Key:
    """Read a key file written by ``generate_key_file``; refuses one inside a git repository."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise KeyFileError(f"{path}: no key file there. " + HOW_TO_MAKE_A_KEY.format(default=default_key_path()))
    repo = _repository_of(path)
    if repo is not None:
        raise KeyFileError(f"{path}: the key file is inside the git repository {repo}, where it could be committed; "
                           "move it outside the repository")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(f"{path}: the key file can be read by other users; run `chmod 600 {path}`", stacklevel=2)
    return Key(_parse_key(path.read_text(encoding="ascii", errors="replace"), str(path)), f"key file {path}")


def load_key(path: str | Path | None = None) -> Key:
    """The key from ``path``, else ``CM_RESEARCH_KEY``, else ``CM_RESEARCH_KEY_FILE``, else the default key file.

    Raises MissingKeyError, saying how to make a key, when there is none.
    """
    if path is not None:
        return read_key_file(path)
    if os.environ.get(KEY_ENV, "").strip():
        return Key(_parse_key(os.environ[KEY_ENV], f"environment variable {KEY_ENV}"),
                   f"environment variable {KEY_ENV}")
    if os.environ.get(KEY_FILE_ENV, "").strip():
        return read_key_file(os.environ[KEY_FILE_ENV].strip())
    default = default_key_path()
    if default.is_file():
        return read_key_file(default)
    raise MissingKeyError("No pseudonymisation key found, so nothing was pseudonymised. "
                          + HOW_TO_MAKE_A_KEY.format(default=default))
