"""The one channel a PM decision travels: the resume value of the interrupt that paused
the escalation's work item.

The interrupt shows the PM what to decide (`pm_question`); the PM answers with a plain
`{"verdict": ..., "note": ...}` (`decided_by` optional); the run clock stamps the time, never
the caller. A malformed answer is refused before anything is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from charter.protocols import Decision, DecisionRefused, Escalation

VERDICTS = ("approve", "deny", "needs_info")
_KEYS = {"verdict", "note", "decided_by"}


def pm_question(
    escalation: Escalation, problem: str = "", asked: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """What the interrupt shows: the escalation, the answers it takes, and the agent's
    answers to the PM's questions so far (a "needs_info" note is a question for the agent
    and keeps the escalation open)."""
    question: dict[str, Any] = {
        "escalation_id": escalation.id,
        "trigger": escalation.trigger,
        "source": escalation.source,
        "severity": escalation.severity.value,
        "summary": escalation.summary,
        "evidence": list(escalation.evidence),
        "verdicts": list(VERDICTS),
        "resume_with": {"verdict": "approve | deny | needs_info", "note": "text (optional)"},
    }
    if asked:
        question["asked"] = list(asked)
    if problem:
        question["problem"] = problem  # why the previous answer was refused
    return question


def check_resume(value: Any) -> dict[str, str]:
    """The PM's answer as {"verdict", "note", "decided_by"}, or DecisionRefused."""
    if not isinstance(value, dict):
        raise DecisionRefused(
            f'decision {value!r}: expected an object like {{"verdict": "approve", "note": "..."}}'
        )
    unknown = sorted(set(value) - _KEYS)
    if unknown:
        raise DecisionRefused(
            f"decision: unknown field(s) {', '.join(unknown)}; expected verdict, note"
            " (the run clock stamps the time)"
        )
    verdict = value.get("verdict")
    if verdict not in VERDICTS:
        raise DecisionRefused(
            f"decision verdict {verdict!r}: expected one of {', '.join(VERDICTS)}"
        )
    note = value.get("note", "")
    decided_by = value.get("decided_by", "pm")
    if not isinstance(note, str) or not isinstance(decided_by, str) or not decided_by:
        raise DecisionRefused("decision: note and decided_by must be text")
    return {"verdict": verdict, "note": note, "decided_by": decided_by}


def decision_from_resume(value: Any, *, now: datetime) -> Decision:
    answer = check_resume(value)
    return Decision.model_validate({**answer, "decided_at": now})


__all__ = ["VERDICTS", "check_resume", "decision_from_resume", "pm_question"]
