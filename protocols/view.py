"""What an agent sees when it thinks: the `AgentView` a brain turns into actions."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .authority import AuthorityDecision
from .base import StrictModel, UtcDatetime
from .charter import Charter
from .escalations import Escalation
from .memory_kinds import MemoryKind
from .messages import Message, Signal
from .work import TaskAssignment


class MemorySnippet(StrictModel):
    """A memory chosen by context preparation for this turn."""

    id: str
    kind: MemoryKind
    content: str
    tags: list[str] = Field(default_factory=list)
    score: float = 0.0


class ToolResult(StrictModel):
    """The outcome of a `UseTool` action, fed back into the same turn."""

    tool: str
    ok: bool
    summary: str = ""
    result: dict[str, Any] = Field(default_factory=dict)


class AgentView(StrictModel):
    """Everything a brain may look at. Nothing else reaches it: no database handle, no
    file system, no graph internals; it can only answer with actions."""

    role: str
    charter: Charter
    now: UtcDatetime
    task: TaskAssignment | None = None
    signal: Signal | None = None
    inbox: list[Message] = Field(default_factory=list)
    memories: list[MemorySnippet] = Field(default_factory=list)
    tool_results: list[ToolResult] = Field(default_factory=list)
    denials: list[AuthorityDecision] = Field(default_factory=list)  # this turn's refused writes
    rejections: list[str] = Field(default_factory=list)  # this turn's refused messages/actions
    open_escalations: list[Escalation] = Field(default_factory=list)
    decisions: list[Escalation] = Field(default_factory=list)  # decided escalations of this task
    step: int = 0  # how many times the brain has been asked in this turn
    team: list[str] = Field(default_factory=list)


__all__ = ["AgentView", "MemorySnippet", "ToolResult"]
