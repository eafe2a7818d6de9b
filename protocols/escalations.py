"""Escalations to the PM and the PM's decisions on them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import StrictModel, UtcDatetime
from .charter import Severity

EscalationStatus = Literal["open", "acknowledged", "decided", "reescalated"]
DecisionVerdict = Literal["approve", "deny", "needs_info"]


class Decision(StrictModel):
    verdict: DecisionVerdict
    note: str = ""
    decided_by: str = "pm"
    decided_at: UtcDatetime


class Escalation(StrictModel):
    id: str
    source: str  # the role that raised it
    trigger: str
    severity: Severity  # from the source's charter table, never from the brain
    summary: str
    evidence: list[str] = Field(default_factory=list)
    status: EscalationStatus = "open"
    raised_at: UtcDatetime
    acknowledge_by: UtcDatetime | None = None
    escalated_to: str = "pm"  # "user" after a missed acknowledgement deadline
    task_id: str | None = None
    correlation_id: str | None = None
    decision: Decision | None = None


__all__ = ["Decision", "DecisionVerdict", "Escalation", "EscalationStatus"]
