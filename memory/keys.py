"""Secret keys kept outside the run: one for the audit trail's MACs, one for erasure hashes.

A key in the run database would sign and hash for whoever copies that database, so a key
comes from the environment (`CHARTER_AUDIT_KEY`, `CHARTER_ERASURE_KEY`: any text of 16
characters or more) or from a key file in Charter's key folder (`CHARTER_KEY_DIR`, default
`$XDG_CONFIG_HOME/charter` or `~/.config/charter`), made on first use with mode 0600. A key
file that others may read is refused: it would not be a secret. When no key can be had
(a read-only home, say) the caller runs unkeyed and says so.

Each run gets its own key derived from the master key and the run id, so one run's MACs
say nothing about another's.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from charter.protocols import ConfigError

Purpose = Literal["audit", "erasure"]

KEY_DIR_ENV = "CHARTER_KEY_DIR"
_ENV = {"audit": "CHARTER_AUDIT_KEY", "erasure": "CHARTER_ERASURE_KEY"}
MIN_KEY_LENGTH = 16


@dataclass(frozen=True)
class Key:
    """A master key and where it came from (for messages; never the key itself)."""

    secret: bytes
    source: str

    @property
    def key_id(self) -> str:
        """A public name for the key: tells which key signed, reveals nothing of it."""
        return hashlib.sha256(b"charter-key-id|" + self.secret).hexdigest()[:16]

    def for_run(self, purpose: Purpose, run_id: str) -> bytes:
        return hmac.new(self.secret, f"{purpose}|{run_id}".encode(), hashlib.sha256).digest()


def key_dir() -> Path:
    configured = os.environ.get(KEY_DIR_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "charter"


def load_key(purpose: Purpose, *, create: bool = True) -> Key | None:
    """The `purpose` key from the environment or the key folder (made when missing and
    `create`); None when there is none to be had. A weak or exposed key is a ConfigError."""
    variable = _ENV[purpose]
    from_env = os.environ.get(variable)
    if from_env is not None:
        if len(from_env) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"{variable}: {len(from_env)} characters; expected at least {MIN_KEY_LENGTH}"
            )
        return Key(from_env.encode("utf-8"), f"${variable}")
    path = key_dir() / f"{purpose}.key"
    try:
        return _read_key_file(path)
    except (FileNotFoundError, NotADirectoryError):
        if not create:
            return None
    try:
        return _make_key_file(path)
    except FileExistsError:  # another process made it first: use theirs
        return _read_key_file(path)
    except OSError:
        return None


def _read_key_file(path: Path) -> Key:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"key file {path}: not a regular file")
        if info.st_mode & 0o077:
            raise ConfigError(
                f"key file {path}: mode {stat.S_IMODE(info.st_mode):04o} lets others read it; "
                "expected 0600 (chmod 600 it, or set a new key)"
            )
        data = os.read(fd, 4096).strip()
    finally:
        os.close(fd)
    if len(data) < MIN_KEY_LENGTH:
        raise ConfigError(f"key file {path}: {len(data)} bytes; expected at least 16")
    return Key(data, str(path))


def _make_key_file(path: Path) -> Key:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_hex(32).encode("ascii")
    # Written whole under a private name, then linked into place: a process starting at
    # the same moment sees either no key file or a complete one, never a half-written one.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, secret + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    finally:
        tmp.unlink()
    return Key(secret, str(path))


__all__ = ["KEY_DIR_ENV", "Key", "Purpose", "key_dir", "load_key"]
