"""Run events: a discriminated union of everything that happens in a run.

Events are the run's history. They are appended to the run database keyed by `id`
(idempotent, so a resumed run never duplicates one); the digest of a finished run is the
hash of its ordered events.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from .authority import AuthorityDecision
from .base import StrictModel, UtcDatetime
from .escalations import Decision, Escalation
from .memory_kinds import MemoryKind
from .messages import Message, Signal
from .work import AgentReport, TaskAssignment


class _EventBase(StrictModel):
    id: str
    at: UtcDatetime
    agent: str | None = None  # the role the event concerns, if one
    task_id: str | None = None
    correlation_id: str | None = None


class RunStarted(_EventBase):
    kind: Literal["run_started"] = "run_started"
    run_id: str
    seed: int
    team: list[str]
    scenario: str | None = None


class RunFinished(_EventBase):
    kind: Literal["run_finished"] = "run_finished"
    reason: str = "idle"


class TaskSubmitted(_EventBase):
    kind: Literal["task_submitted"] = "task_submitted"
    task: TaskAssignment


class TaskRouted(_EventBase):
    kind: Literal["task_routed"] = "task_routed"
    to: str
    reason: str


class SignalReceived(_EventBase):
    kind: Literal["signal_received"] = "signal_received"
    signal: Signal


class ScheduleFired(_EventBase):
    kind: Literal["schedule_fired"] = "schedule_fired"
    schedule: str
    scheduled_for: UtcDatetime
    misfire: bool = False  # fired late (live runs), per the schedule's misfire policy


class AgentActivated(_EventBase):
    kind: Literal["agent_activated"] = "agent_activated"
    cause: str  # "task", "signal:<kind>", "schedule:<name>", "message:<protocol>"


class ContextPrepared(_EventBase):
    kind: Literal["context_prepared"] = "context_prepared"
    memory_ids: list[str] = Field(default_factory=list)
    characters: int = 0


class AuthorityChecked(_EventBase):
    kind: Literal["authority_checked"] = "authority_checked"
    decision: AuthorityDecision


class FileWritten(_EventBase):
    kind: Literal["file_written"] = "file_written"
    path: str
    size: int
    sha256: str


class WriteFailed(_EventBase):
    """An allowed write the file system refused to land where it was decided (a name too
    long, a file where a folder is needed, a link that appeared since the check): recorded,
    and the run goes on."""

    kind: Literal["write_failed"] = "write_failed"
    path: str
    reason: str


class MessageSent(_EventBase):
    kind: Literal["message_sent"] = "message_sent"
    message: Message


class DeadLetter(_EventBase):
    kind: Literal["dead_letter"] = "dead_letter"
    message: Message
    reason: str


class ProtocolViolation(_EventBase):
    kind: Literal["protocol_error"] = "protocol_error"
    sender: str
    recipient: str
    protocol: str
    reason: str


class EscalationRaised(_EventBase):
    kind: Literal["escalation_raised"] = "escalation_raised"
    escalation: Escalation


class EscalationAcknowledged(_EventBase):
    kind: Literal["escalation_acknowledged"] = "escalation_acknowledged"
    escalation_id: str


class EscalationDecided(_EventBase):
    kind: Literal["escalation_decided"] = "escalation_decided"
    escalation_id: str
    decision: Decision


class EscalationInfoRequested(_EventBase):
    """The PM answered an escalation with "needs info": the question goes to the agent
    that raised it, and the escalation stays open."""

    kind: Literal["escalation_info_requested"] = "escalation_info_requested"
    escalation_id: str
    question: str
    round: int  # 1 for the first question on this escalation


class EscalationInfoAnswered(_EventBase):
    """The raising agent's answer to the PM's question, shown on the escalation."""

    kind: Literal["escalation_info_answered"] = "escalation_info_answered"
    escalation_id: str
    question: str
    answer: str
    round: int


class EscalationReescalated(_EventBase):
    kind: Literal["escalation_reescalated"] = "escalation_reescalated"
    escalation_id: str
    to: str
    reason: str


class ReportFiled(_EventBase):
    kind: Literal["report_filed"] = "report_filed"
    report: AgentReport


class MemoryRecorded(_EventBase):
    kind: Literal["memory_recorded"] = "memory_recorded"
    memory_id: str
    memory_kind: MemoryKind
    content: str
    tags: list[str] = Field(default_factory=list)


class ToolUsed(_EventBase):
    kind: Literal["tool_used"] = "tool_used"
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    summary: str = ""
    result: dict[str, Any] = Field(default_factory=dict)


class TurnCompleted(_EventBase):
    kind: Literal["turn_completed"] = "turn_completed"
    actions: int
    allowed: int


class BudgetExhausted(_EventBase):
    kind: Literal["budget_exhausted"] = "budget_exhausted"
    budget: str  # "turns_per_task", "handoffs", "messages_per_correlation", "ai_tokens", ...
    limit: float
    used: float


class AIUsage(_EventBase):
    kind: Literal["ai_usage"] = "ai_usage"
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0  # prompt-cache writes, priced apart from plain input
    cost_usd: float = 0.0
    ok: bool = True
    error: str | None = None


class FaultInjected(_EventBase):
    kind: Literal["fault_injected"] = "fault_injected"
    fault: str
    details: dict[str, Any] = Field(default_factory=dict)


Event = Annotated[
    RunStarted
    | RunFinished
    | TaskSubmitted
    | TaskRouted
    | SignalReceived
    | ScheduleFired
    | AgentActivated
    | ContextPrepared
    | AuthorityChecked
    | FileWritten
    | WriteFailed
    | MessageSent
    | DeadLetter
    | ProtocolViolation
    | EscalationRaised
    | EscalationAcknowledged
    | EscalationDecided
    | EscalationInfoRequested
    | EscalationInfoAnswered
    | EscalationReescalated
    | ReportFiled
    | MemoryRecorded
    | ToolUsed
    | TurnCompleted
    | BudgetExhausted
    | AIUsage
    | FaultInjected,
    Field(discriminator="kind"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: dict[str, Any] | str | bytes) -> Event:
    """Rebuild a typed event from its JSON (string) or dict form."""
    if isinstance(data, (str, bytes)):
        return EVENT_ADAPTER.validate_json(data)
    return EVENT_ADAPTER.validate_python(data)


__all__ = [
    "EVENT_ADAPTER",
    "AIUsage",
    "AgentActivated",
    "AuthorityChecked",
    "BudgetExhausted",
    "ContextPrepared",
    "DeadLetter",
    "EscalationAcknowledged",
    "EscalationDecided",
    "EscalationInfoAnswered",
    "EscalationInfoRequested",
    "EscalationRaised",
    "EscalationReescalated",
    "Event",
    "FaultInjected",
    "FileWritten",
    "MemoryRecorded",
    "MessageSent",
    "ProtocolViolation",
    "ReportFiled",
    "RunFinished",
    "RunStarted",
    "ScheduleFired",
    "SignalReceived",
    "TaskRouted",
    "TaskSubmitted",
    "ToolUsed",
    "TurnCompleted",
    "WriteFailed",
    "parse_event",
]
