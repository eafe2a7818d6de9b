"""What one guard call leaves for the run store: one line in the run directory's spool
(`spool.py`), which the next opener of the run stores as a `tool_used` event, per judged
path an `authority_checked` event and an authority-decision row (what the gate records),
and one audit entry naming who, what and the answer (`charter.memory.guard_spool`). So
`charter audit verify` and the TUI see guarded agents beside simulated ones, and the hook
itself never opens the database."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from charter.protocols.clock import SystemClock

from .hook import GuardAnswer
from .spool import append_record


def record_answer(
    run_dir: Path, role: str, answer: GuardAnswer, now: datetime | None = None
) -> str:
    """Spool `answer` for the run at `run_dir` (created when missing); the call's id.
    Raises OSError when the line cannot be written."""
    # A real agent's call happens now: the wall clock is the run clock of a guarded run.
    at = now or SystemClock().now()
    # one id per hook call (several calls may share a second); uuid costs 10 ms to import
    call = os.urandom(8).hex()
    append_record(
        run_dir,
        {
            "id": call,
            "at": at.isoformat(),
            "role": role,
            "tool": answer.tool,
            "session": answer.session,
            "permission": answer.permission,
            "reason": answer.reason,
            "detail": answer.detail,
            "decisions": answer.decisions,
        },
    )
    return call
