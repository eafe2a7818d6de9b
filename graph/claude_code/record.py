"""What one guard call leaves in the run store: a `tool_used` event for the call, an
`authority_checked` event and authority-decision row per judged path (what the gate
records), and one audit entry naming who, what and the answer, so `charter audit verify`
and the TUI see guarded agents beside simulated ones."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from .hook import GuardAnswer


def record_answer(
    run_dir: Path, role: str, answer: GuardAnswer, now: datetime | None = None
) -> str:
    """Store `answer` in the run at `run_dir` (created when missing); the audit hash."""
    from charter.memory import open_run_store
    from charter.protocols import SystemClock, VirtualClock
    from charter.protocols.events import AuthorityChecked, ToolUsed

    # A real agent's call happens now: the wall clock is the run clock of a guarded run.
    at = now or SystemClock().now()
    run_dir.mkdir(parents=True, exist_ok=True)
    store = open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=VirtualClock(at))
    call = uuid.uuid4().hex[:16]  # one id per hook call: several calls may share a second
    try:
        store.append_event(
            ToolUsed(
                id=f"guard-{call}",
                at=at,
                agent=role,
                tool=f"claude_code:{answer.tool or 'unknown'}",
                arguments=dict(answer.detail),
                ok=answer.permission == "allow",
                summary=answer.reason,
                result={"permission": answer.permission, "session": answer.session},
            )
        )
        for number, decision in enumerate(answer.decisions):
            event_id = f"guard-{call}-{number}"
            store.append_event(AuthorityChecked(id=event_id, at=at, agent=role, decision=decision))
            store.record_authority_decision(event_id, decision)
        targets = [decision.requested_path for decision in answer.decisions]
        return store.audit_append(
            actor=role,
            action=f"guard.{answer.permission}",
            target=", ".join(targets) or answer.tool or "-",
            details={
                "tool": answer.tool,
                "reason": answer.reason,
                "session": answer.session,
                **answer.detail,
                "rules": [decision.rule for decision in answer.decisions],
            },
            at=at,
        )
    finally:
        store.close()
