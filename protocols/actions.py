"""The only things a brain can do: propose typed actions. The gate decides, effects apply
what the gate allowed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .base import StrictModel
from .charter import Severity
from .memory_kinds import MemoryKind
from .work import AgentReport


class WriteFile(StrictModel):
    kind: Literal["write_file"] = "write_file"
    path: str
    content: str
    reason: str = ""


class SendMessage(StrictModel):
    kind: Literal["send_message"] = "send_message"
    to: str
    protocol: str
    payload: dict[str, Any] = Field(default_factory=dict)
    correlation_id: str | None = None
    reply_to: str | None = None  # the message id this answers


class Escalate(StrictModel):
    kind: Literal["escalate"] = "escalate"
    trigger: str  # a trigger name from the sender's charter table
    summary: str
    evidence: list[str] = Field(default_factory=list)
    # What the brain believes; ignored for routing: severity always comes from the table.
    claimed_severity: Severity | None = None


class Report(StrictModel):
    kind: Literal["report"] = "report"
    report: AgentReport


class Remember(StrictModel):
    kind: Literal["remember"] = "remember"
    memory_kind: MemoryKind
    content: str
    tags: list[str] = Field(default_factory=list)
    importance: float = Field(default=0.5, ge=0.0, le=1.0)


class UseTool(StrictModel):
    kind: Literal["use_tool"] = "use_tool"
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


Action = Annotated[
    WriteFile | SendMessage | Escalate | Report | Remember | UseTool,
    Field(discriminator="kind"),
]

__all__ = ["Action", "Escalate", "Remember", "Report", "SendMessage", "UseTool", "WriteFile"]
