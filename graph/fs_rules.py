"""What the workspace's file system does to names: fold case, normalise Unicode.

On macOS (APFS, HFS+) and Windows, `SRC/AUTH/x.py` is `src/auth/x.py`, and on APFS/HFS+ an
NFD spelling of a name is its NFC one: a second way into another role's folder unless the
gate matches as the file system does. The rules are probed once, when a run is made, with
temporary files in the workspace itself (a mount point may differ from its parent), and
recorded in `run.json`; a reopened run keeps them.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_NFD_NAME = unicodedata.normalize("NFD", "charter-probe-\u00e9")  # e + combining accent


@dataclass(frozen=True)
class FsRules:
    folds_case: bool
    normalises_unicode: bool

    def as_json(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Any) -> FsRules | None:
        if isinstance(value, dict) and all(
            isinstance(value.get(key), bool) for key in ("folds_case", "normalises_unicode")
        ):
            return cls(bool(value["folds_case"]), bool(value["normalises_unicode"]))
        return None


def probe(directory: Path) -> FsRules:
    """Create probe files in `directory` and see which other spellings find them."""
    handle, made = tempfile.mkstemp(prefix="charter-Probe-", dir=directory)
    os.close(handle)
    try:
        name = os.path.basename(made)
        folds = os.path.exists(os.path.join(directory, name.swapcase()))
    finally:
        os.unlink(made)
    nfd = os.path.join(directory, _NFD_NAME)
    try:
        handle = os.open(nfd, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        os.unlink(nfd)  # left by a probe that was killed
        handle = os.open(nfd, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(handle)
    try:
        nfc = unicodedata.normalize("NFC", _NFD_NAME)
        normalises = os.path.exists(os.path.join(directory, nfc))
    finally:
        os.unlink(nfd)
    return FsRules(folds_case=folds, normalises_unicode=normalises)


__all__ = ["FsRules", "probe"]
