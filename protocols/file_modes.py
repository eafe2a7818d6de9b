"""File modes Charter uses, in one place (docs/input-safety.md lists them):

- 0600: anything that can hold personal data or keys — the run database (`run.db`, and the
  journals SQLite makes beside it with the database's mode), generated data sets, key
  files, crash reports;
- 0644 under the umask: everything else — `run.json`, exports, the workspace files agents
  write (those are the project's own files and get the mode any program would give them).

SQLite creates a missing database file with the umask's mode, so `private_file` makes the
empty file first with 0600; SQLite then opens it as a new database.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600
SHARED = 0o644


def private_file(path: Path) -> Path:
    """Make `path` an empty 0600 file when it does not exist yet; leave an existing file
    as it is (its owner may have chosen its mode). SQLite's special names (`:memory:`,
    `file:` URIs) are no files: they are returned untouched."""
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return path
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE)
    except FileExistsError:
        return path
    os.close(fd)
    return path


__all__ = ["PRIVATE", "SHARED", "private_file"]
