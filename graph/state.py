"""The graph's state, input and output: one work item's own small state.

A run is many LangGraph threads, one per work item (see graph/work.py): the graph's input
is the item (`WorkInput`), its output the item's outcome (`WorkOutcome`). History (events,
messages, escalations, authority decisions) lives in the run store, which is what agents
see of each other; nothing here points into a global log. Every field is overwritten,
never appended with a list reducer, so a checkpoint stays the same size whatever the run's
length. `typing_extensions.TypedDict` so the LangGraph server can read the schemas (and
their field descriptions) on Python 3.11.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

WorkKind = Literal["task", "signal", "fire", "message"]
WORK_EVENT_KINDS: frozenset[str] = frozenset({"task_submitted", "signal_received", "message_sent"})

# How a work item ended; "waiting" is never an outcome (a paused thread has none yet).
Outcome = Literal["done", "skipped", "stopped", "held"]


def _d(text: str) -> Any:
    # A field's description, which the schemas the LangGraph server shows carry.
    return Field(description=text)


class WorkItem(TypedDict):
    """One thing one agent is asked to handle: the graph's input."""

    id: Annotated[str, _d('"<kind>:<ref>", unique in the run; the thread id derives from it')]
    kind: Annotated[
        WorkKind, _d("task, signal activation, scheduled fire (a task) or delivered message")
    ]
    seq: Annotated[int, _d("the run-store event that carries the item")]
    ref: Annotated[str, _d("the task, signal or message id")]
    agent: Annotated[str | None, _d("the role that takes the turn (set by routing if not given)")]
    task_id: Annotated[str | None, _d("the task the item belongs to, if any")]
    correlation_id: Annotated[str, _d("ties the item's events and messages together")]
    cause: Annotated[str, _d('"task", "signal:<kind>", "schedule:<name>" or "message:<protocol>"')]
    due: Annotated[str, _d("ISO time the item became runnable (the scheduler orders by it)")]


class NewTask(TypedDict, total=False):
    """A task handed straight to the graph (LangGraph server clients): TaskAssignment
    fields; `id` and `title` are made up when missing."""

    id: Annotated[str, _d("task id; made from the text when missing")]
    title: Annotated[str, _d("short title; the start of the text when missing")]
    task: Annotated[str, _d("what to do, in words")]
    assigned_to: Annotated[str, _d("role that should take it (e.g. data, architect)")]
    inputs: Annotated[dict[str, Any], _d("named inputs for the task")]
    context: Annotated[list[str], _d("background notes for the agent")]


class NewSignal(TypedDict, total=False):
    """A signal handed straight to the graph: its kind, where from, and what it says."""

    id: Annotated[str, _d("signal id; made from the content when missing")]
    kind: Annotated[str, _d("signal kind, e.g. pipeline_failed, data_breach")]
    source: Annotated[str, _d("where the signal came from")]
    payload: Annotated[dict[str, Any], _d("what the signal says (kind-specific fields)")]


class WorkInput(TypedDict, total=False):
    """What a client hands the graph for one thread: exactly one of an item already in the
    run store (the Orchestrator's way), a new task, or a new signal."""

    work: Annotated[WorkItem, _d("an item already in the run store (the Orchestrator's way)")]
    task: Annotated[NewTask, _d("a new task, recorded in the run store first")]
    signal: Annotated[NewSignal, _d("a new signal, recorded in the run store first")]


class WorkOutcome(TypedDict, total=False):
    """What the graph returns for a work item."""

    work: Annotated[WorkItem, _d("the item, with the agent routing chose")]
    outcome: Annotated[Outcome, _d("done, skipped, stopped or held")]
    reason: Annotated[str, _d('why it was skipped, stopped or held ("" when done)')]
    proposed: Annotated[int, _d("actions the agent proposed in its turn")]
    allowed: Annotated[int, _d("of which the gate allowed")]
    raised: Annotated[list[str], _d("ids of escalations raised in the turn")]


class Feedback(TypedDict):
    """What the previous step of this turn left for the next one (bounded by the step
    budget): tool results, refused writes, refused messages/actions, decisions."""

    tool_results: list[dict[str, Any]]
    denials: list[dict[str, Any]]
    rejections: list[str]


class GraphState(TypedDict, total=False):
    work: WorkItem
    task: NewTask  # input only: recorded in the store by intake, then `work` is set
    signal: NewSignal
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
    outcome: Outcome | Literal["working"]
    reason: str


def empty_feedback() -> Feedback:
    return {"tool_results": [], "denials": [], "rejections": []}


__all__ = [
    "WORK_EVENT_KINDS",
    "Feedback",
    "GraphState",
    "NewSignal",
    "NewTask",
    "Outcome",
    "WorkInput",
    "WorkItem",
    "WorkKind",
    "WorkOutcome",
    "empty_feedback",
]
