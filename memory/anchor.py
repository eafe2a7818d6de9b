"""The audit chain's head kept outside the run database, in the run directory's `run.json`
(key `audit_head`): whoever deletes the newest audit rows or rebuilds the table cannot
also make the signed head agree. Updated when a process that appended to the trail closes
the run; `charter audit verify DIR` checks the chain against it, `charter audit head DIR`
prints it for keeping elsewhere too."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ANCHOR_KEY = "audit_head"


def read_anchor(run_dir: Path) -> dict[str, Any] | None:
    """The anchored head a run directory's `run.json` holds, if any."""
    try:
        meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    head = meta.get(ANCHOR_KEY) if isinstance(meta, dict) else None
    return dict(head) if isinstance(head, dict) else None


def write_anchor(run_dir: Path, head: Mapping[str, Any]) -> bool:
    """Record `head` in `run.json` (atomically, one writer at a time); False when the run
    directory has no `run.json` to hold it. A head older than the recorded one (a slower
    process closing after a faster one) never replaces it."""
    meta_path = run_dir / "run.json"
    if not meta_path.is_file():
        return False
    with open(run_dir / ".run.json.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        recorded = meta.get(ANCHOR_KEY)
        if isinstance(recorded, dict) and int(recorded.get("count", 0)) > int(head["count"]):
            return True
        meta[ANCHOR_KEY] = dict(head)
        # 0644 through the umask like any file a program writes (mkstemp would make 0600).
        tmp = run_dir / f".run.json.{secrets.token_hex(6)}"
        handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(meta, indent=1))
        os.replace(tmp, meta_path)
    return True


__all__ = ["ANCHOR_KEY", "read_anchor", "write_anchor"]
