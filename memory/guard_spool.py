"""Moving the Claude Code guard's spool into the run store.

The guard (`charter.graph.claude_code.spool`) appends one JSON line per hook call to
`<run dir>/guard-spool.jsonl` instead of opening the store. `open_run_store` calls
`ingest_pending` for a SQLite store whose folder holds spool lines, so every reader (TUI,
`charter audit verify`, `charter memory ...`) sees every decision. Per line the store gets
what the guard used to write directly: a `tool_used` event, per judged path an
`authority_checked` event and an authority-decision row, and one audit entry.

Exactly once: ingesters take `guard-spool.lock` for the whole ingest; the live spool is
renamed to a `.ingesting` file under the writers' own lock (so no writer appends to it
afterwards), its lines are stored, and only then is it deleted. A crash leaves the
`.ingesting` file for the next opener, and a line already stored is recognised by its
event id and skipped. A line that is not a guard record is kept aside in
`guard-spool.rejected` (and counted), never silently dropped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import RunStore

SPOOL_NAME = "guard-spool.jsonl"  # the guard's writer names it too
LOCK_NAME = "guard-spool.lock"
REJECTED_NAME = "guard-spool.rejected"
_CLAIMED = ".ingesting"


def spool_folder(url: str) -> Path | None:
    """The run directory of a SQLite store URL when guard lines wait there, else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    folder = Path(url[len(prefix) :]).parent
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    waiting = any(name == SPOOL_NAME or name.endswith(_CLAIMED) for name in names)
    return folder if waiting else None


def ingest_pending(run_dir: Path, store: RunStore) -> int:
    """Store every waiting guard line of `run_dir` in `store`; how many were new."""
    stored = 0
    with _locked(run_dir / LOCK_NAME):
        for claimed in _claim(run_dir):
            lines = claimed.read_bytes().splitlines()
            for raw in lines:
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                    stored += record_call(store, record)
                except (ValueError, KeyError, TypeError) as error:
                    _reject(run_dir, raw, error)
            claimed.unlink()
    return stored


def record_call(store: RunStore, record: dict[str, Any]) -> int:
    """One guard call in the store: 1, or 0 when it was stored before."""
    from charter.protocols import AuthorityDecision
    from charter.protocols.events import AuthorityChecked, ToolUsed

    call = str(record["id"])
    role = str(record["role"])
    at = datetime.fromisoformat(record["at"])
    tool = str(record.get("tool") or "")
    permission = str(record["permission"])
    reason = str(record["reason"])
    session = str(record.get("session") or "")
    detail = dict(record.get("detail") or {})
    decisions = [AuthorityDecision.model_validate(item) for item in record["decisions"]]
    first = store.append_event(
        ToolUsed(
            id=f"guard-{call}",
            at=at,
            agent=role,
            tool=f"claude_code:{tool or 'unknown'}",
            arguments=detail,
            ok=permission == "allow",
            summary=reason,
            result={"permission": permission, "session": session},
        )
    )
    if first is None:
        return 0  # ingested before a crash deleted its spool file
    for number, decision in enumerate(decisions):
        event_id = f"guard-{call}-{number}"
        store.append_event(AuthorityChecked(id=event_id, at=at, agent=role, decision=decision))
        store.record_authority_decision(event_id, decision)
    store.audit_append(
        actor=role,
        action=f"guard.{permission}",
        target=", ".join(decision.requested_path for decision in decisions) or tool or "-",
        details={
            "tool": tool,
            "reason": reason,
            "session": session,
            **detail,
            "rules": [decision.rule for decision in decisions],
        },
        at=at,
    )
    return 1


def _claim(run_dir: Path) -> list[Path]:
    """The spool files to ingest, oldest first: leftovers of an interrupted ingest, then the
    live spool, renamed away under the writers' lock."""
    leftovers = sorted(run_dir.glob(f"guard-spool.*{_CLAIMED}"), key=_age)
    live = run_dir / SPOOL_NAME
    if not live.exists():
        return leftovers
    claimed = run_dir / f"guard-spool.{_now_ns():020d}.{secrets.token_hex(4)}{_CLAIMED}"
    with _locked(live, create=False) as held:
        if held:
            os.replace(live, claimed)
            return [*leftovers, claimed]
    return leftovers


def _age(path: Path) -> str:
    return path.name  # names carry a zero-padded time: sorting them is oldest first


def _now_ns() -> int:
    import time

    return time.time_ns()


def _reject(run_dir: Path, raw: bytes, error: Exception) -> None:
    note = {"error": f"{type(error).__name__}: {error}", "line": raw.decode(errors="replace")}
    with open(run_dir / REJECTED_NAME, "a", encoding="utf-8") as kept:
        kept.write(json.dumps(note) + "\n")


@contextlib.contextmanager
def _locked(path: Path, *, create: bool = True) -> Any:
    """An exclusive flock on `path` for the block; yields False when `path` is gone (and
    `create` is off)."""
    flags = os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)
