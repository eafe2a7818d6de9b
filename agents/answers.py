"""How an agent answers the PM's "needs info" on one of its escalations.

The PM's question goes to the agent that raised the escalation. A brain that can talk
(it has an `answer_pm` method) answers in its own words; every other brain answers from
its record, which is what a rule-based agent really knows: why it raised the
escalation, its evidence, what it found in the turn so far, and what it proposed that now
waits on the PM's decision. The answer is a pure function of those, so a replayed run
answers word for word the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from charter.protocols import Escalation


@dataclass(frozen=True)
class InfoRequest:
    """The PM's question and what the asked agent has at hand to answer it."""

    escalation: Escalation
    question: str
    round: int  # 1 for the first question on this escalation
    findings: Sequence[str] = field(default_factory=tuple)  # this turn's tool results
    waiting: Sequence[str] = field(default_factory=tuple)  # proposals held for the PM


@runtime_checkable
class Answerer(Protocol):
    """A brain that answers the PM's questions itself (e.g. one backed by a model)."""

    def answer_pm(self, request: InfoRequest) -> str: ...


def describe_tool_result(result: dict[str, Any]) -> str:
    outcome = "ok" if result.get("ok") else "failed"
    summary = str(result.get("summary") or "").strip()
    return f"{result.get('tool', '?')} {outcome}" + (f": {summary}" if summary else "")


def describe_proposal(action: dict[str, Any]) -> str | None:
    """A held proposal in a few words; None for the escalation itself and bookkeeping."""
    kind = action.get("kind")
    if kind == "write_file":
        return f"write {action.get('path')}"
    if kind == "send_message":
        return f"ask {action.get('to')} ({action.get('protocol')})"
    if kind == "use_tool":
        return f"run {action.get('tool')}"
    if kind == "report":
        report = action.get("report") or {}
        return f"report {report.get('status')}"
    return None


def answer_from_record(request: InfoRequest) -> str:
    esc = request.escalation
    parts = [f"I raised {esc.trigger!r} because: {esc.summary}"]
    if esc.evidence:
        parts.append("Evidence: " + "; ".join(esc.evidence))
    if request.findings:
        parts.append("What I found so far: " + "; ".join(request.findings))
    if request.waiting:
        parts.append("Waiting on your decision: " + "; ".join(request.waiting))
    if not (esc.evidence or request.findings or request.waiting):
        parts.append("I have nothing beyond the summary; approve or deny when ready")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def answer(brain: object, request: InfoRequest) -> str:
    """The agent's answer: its brain's own when it has one, else from its record."""
    if isinstance(brain, Answerer):
        text = brain.answer_pm(request).strip()
        if text:
            return text
    return answer_from_record(request)


__all__ = [
    "Answerer",
    "InfoRequest",
    "answer",
    "answer_from_record",
    "describe_proposal",
    "describe_tool_result",
]
