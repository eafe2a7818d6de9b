"""The guard's record of one hook call, appended to the run directory's spool.

Opening the SQLite run store costs more than the whole decision (SQLAlchemy, migrations
check, a write transaction), and a hook runs once per tool call in a fresh process. So the
guard appends one JSON line to `<run dir>/guard-spool.jsonl` and leaves: the next charter
command that opens the run (`open_run_store`, see `charter.memory.guard_spool`) moves the
lines into the store and the audit chain, in order, exactly once.

Each line is written with one `write` on an `O_APPEND` descriptor under an exclusive
`flock`. The ingester renames the spool away under the same lock; a writer that opened the
old file before the rename notices (its descriptor no longer names the spool path) and
reopens, so no line lands in a file already being ingested.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

SPOOL_NAME = "guard-spool.jsonl"  # also named in charter.memory.guard_spool (a test checks)
FORMAT = 1
_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
_REOPENS = 50  # an ingester renaming the spool 50 times while we wait: give up, say so


def append_record(run_dir: Path, record: dict[str, Any]) -> None:
    """Append `record` (JSON-able) as one line; OSError when it cannot be written."""
    line = (json.dumps({"v": FORMAT, **record}, separators=(",", ":")) + "\n").encode()
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / SPOOL_NAME
    for _ in range(_REOPENS):
        fd = os.open(path, _FLAGS, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                here = os.fstat(fd)
                there = os.stat(path)
            except FileNotFoundError:
                continue  # renamed by an ingester before we held the lock
            if (here.st_dev, here.st_ino) != (there.st_dev, there.st_ino):
                continue
            view = memoryview(line)
            while view:  # one write in practice; a short write is finished, not lost
                view = view[os.write(fd, view) :]
            return
        finally:
            os.close(fd)  # closing releases the lock
    raise OSError(f"{path}: the spool kept moving while appending (an ingester loop?)")
