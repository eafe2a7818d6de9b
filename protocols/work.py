"""What the PM hands an agent (the seed's "Input from PM") and what comes back
("Output to PM")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import StrictModel, UtcDatetime


class TaskAssignment(StrictModel):
    """Context / Task / Standards / Previous Learning, plus routing and structured inputs."""

    id: str
    title: str
    task: str  # what to do, in words
    context: list[str] = Field(default_factory=list)
    standards: list[str] = Field(default_factory=list)
    previous_learning: list[str] = Field(default_factory=list)
    inputs: dict[str, Any] = Field(default_factory=dict)  # structured: tables, paths, ids
    assigned_to: str | None = None  # None: the PM routes it
    requested_by: str = "pm"
    correlation_id: str | None = None
    activated_by: str = "task"  # "task", "signal:<kind>", "schedule:<name>"
    created_at: UtcDatetime | None = None


LessonCategory = Literal[
    "failure",  # -> error memory (with its recovery)
    "pattern",  # -> pattern memory
    "classification",  # -> governance memory
    "protocol",  # -> collaboration memory
    "recovery",  # -> reliability memory
    "decision",  # -> project memory
    "standard",  # -> team memory
]


class Lesson(StrictModel):
    """Something the agent learned in a turn; learning capture turns it into a memory."""

    category: LessonCategory
    summary: str
    detail: str = ""
    tags: list[str] = Field(default_factory=list)
    importance: float = Field(default=0.5, ge=0.0, le=1.0)


ReportStatus = Literal["success", "partial", "failed", "blocked"]


class AgentReport(StrictModel):
    """Status / Findings / Issues / Recommendations, and what was learned."""

    task_id: str | None = None
    status: ReportStatus
    summary: str = ""
    findings: list[str] = Field(default_factory=list)
    issues: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    lessons: list[Lesson] = Field(default_factory=list)


__all__ = ["AgentReport", "Lesson", "LessonCategory", "ReportStatus", "TaskAssignment"]
