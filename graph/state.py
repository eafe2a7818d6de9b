"""The graph's state: ids and the current step only.

History (events, messages, escalations, authority decisions) lives in the run store; the
work queue *is* the event log (tasks, signals and delivered messages in sequence order), so
the state only carries a cursor into it. Every field is overwritten, never appended with a
list reducer, so a checkpoint has the same size at event 10 and at event 10,000.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

WorkKind = Literal["task", "signal", "message"]
WORK_EVENT_KINDS: frozenset[str] = frozenset({"task_submitted", "signal_received", "message_sent"})


class WorkItem(TypedDict):
    kind: WorkKind
    seq: int  # the seq of the event that carries it
    ref: str  # task id, signal id or message id
    agent: str | None  # who takes the turn (set by routing)
    task_id: str | None
    correlation_id: str
    cause: str  # "task", "signal:<kind>", "message:<protocol>"


class Feedback(TypedDict):
    """What the previous step of this turn left for the next one (bounded by the step
    budget): tool results, refused writes, refused messages/actions, decisions."""

    tool_results: list[dict[str, Any]]
    denials: list[dict[str, Any]]
    rejections: list[str]


class GraphState(TypedDict, total=False):
    cursor: int  # seq of the last work event taken from the log
    tick: int  # bumped by every invocation so each one starts a fresh super-step chain
    work: WorkItem | None
    step: int  # brain calls so far in this turn
    actions: list[dict[str, Any]]  # the current step's proposals (JSON)
    verdicts: list[dict[str, Any]]  # the gate's answer to each proposal
    pending: list[str]  # immediate escalations of this step awaiting the PM
    memories: list[dict[str, Any]]  # snippets chosen for this turn
    feedback: Feedback
    held: str | None  # why this step's effects were withheld (an escalation not approved)
    raised: list[str]  # escalations raised in this turn (bounded by the step budget)
    proposed: int  # actions proposed in this turn
    allowed: int  # of which the gate allowed
    outcome: str  # "idle", "done", "skipped", ...


def empty_feedback() -> Feedback:
    return {"tool_results": [], "denials": [], "rejections": []}


__all__ = ["WORK_EVENT_KINDS", "Feedback", "GraphState", "WorkItem", "WorkKind", "empty_feedback"]
