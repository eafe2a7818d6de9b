"""Helpers the rule policies share: where a role may write, how to answer a request."""

from __future__ import annotations

import re
from typing import Any

from charter.protocols import (
    AgentReport,
    AgentView,
    Charter,
    Lesson,
    Message,
    Report,
    SendMessage,
)


def slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:limit] or "item"


def area_path(charter: Charter, filename: str) -> str | None:
    """A path inside the role's first plain-directory exclusive area (`src/**` -> `src/`,
    `**/etl/` -> `etl/`), or None when the charter claims no directory."""
    for rule in charter.authorities.exclusive:
        pattern = rule.pattern.removeprefix("**/")
        head = pattern.split("/", 1)[0]
        if head and not re.search(r"[*?\[{]", head) and "/" in pattern:
            return f"{head}/{filename}"
    return None


def current_message(view: AgentView) -> Message | None:
    """The message that woke the agent (context preparation puts it last)."""
    return view.inbox[-1] if view.inbox else None


def reply(message: Message, payload: dict[str, Any]) -> SendMessage:
    return SendMessage(
        to=message.sender,
        protocol=message.protocol,
        payload=payload,
        correlation_id=message.correlation_id,
        reply_to=message.id,
    )


def report(
    view: AgentView,
    status: str,
    summary: str,
    *,
    findings: list[str] | None = None,
    issues: list[str] | None = None,
    recommendations: list[str] | None = None,
    lessons: list[Lesson] | None = None,
    metrics: dict[str, float] | None = None,
) -> Report:
    return Report(
        report=AgentReport.model_validate(
            {
                "task_id": view.task.id if view.task else None,
                "status": status,
                "summary": summary,
                "findings": findings or [],
                "issues": issues or [],
                "recommendations": recommendations or [],
                "lessons": [lesson.model_dump() for lesson in lessons or []],
                "metrics": metrics or {},
            }
        )
    )


__all__ = ["area_path", "current_message", "reply", "report", "slug"]
