"""Learning capture: after a turn, the agent's report becomes memories of the right kind.

Pure: it returns `MemoryInput`s and writes nothing; the graph stores them with
`RunStore.add_memories`. The seed's mapping, one lesson category to one memory kind:
a failure is an Error memory (with its recovery), a pattern a Pattern memory, a
classification decision Governance, a protocol exchange Collaboration, a recovery
procedure Reliability, a decision with its impact Project, a standard enforced Team.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from charter.protocols import AgentReport, Lesson, MemoryKind, MemoryPolicy

from .records import MemoryInput, utc

LESSON_KINDS: dict[str, MemoryKind] = {
    "failure": MemoryKind.ERROR,
    "pattern": MemoryKind.PATTERN,
    "classification": MemoryKind.GOVERNANCE,
    "protocol": MemoryKind.COLLABORATION,
    "recovery": MemoryKind.RELIABILITY,
    "decision": MemoryKind.PROJECT,
    "standard": MemoryKind.TEAM,
}

# How the detail of a lesson is introduced, by category: what the seed says each kind keeps.
_DETAIL_LABEL = {
    "failure": "recovery",
    "decision": "impact",
    "recovery": "procedure",
    "classification": "basis",
    "protocol": "exchange",
}


def _content(lesson: Lesson, report: AgentReport) -> str:
    detail = lesson.detail.strip()
    if lesson.category == "failure" and not detail and report.recommendations:
        # A failure memory without its recovery teaches little; the report's
        # recommendations are the recovery the agent proposed.
        detail = "; ".join(report.recommendations)
    if not detail:
        return lesson.summary.strip()
    label = _DETAIL_LABEL.get(lesson.category)
    joined = f"{label}: {detail}" if label else detail
    return f"{lesson.summary.strip()} — {joined}"


def _failure_without_lesson(report: AgentReport) -> Lesson | None:
    if report.status != "failed" or any(item.category == "failure" for item in report.lessons):
        return None
    summary = report.summary.strip() or "; ".join(report.issues) or "task failed"
    issues = "; ".join(report.issues)
    if issues and issues not in summary:
        summary = f"{summary} ({issues})"
    return Lesson(category="failure", summary=summary, importance=0.7, tags=["failed"])


def capture_learning(
    report: AgentReport,
    *,
    agent: str,
    task_id: str | None,
    source_event: str | None,
    now: datetime,
    policies: Sequence[MemoryPolicy],
) -> list[MemoryInput]:
    """The memories one report teaches `agent`.

    `policies` are the agent's charter memory policies: a kind the charter does not keep is
    not captured (an empty list keeps every kind, without expiry); a kind with a retention
    expires that long after `now`. A failed report without a failure lesson still becomes
    an Error memory. The store derives stable ids from the redacted content, so storing the same
    capture twice keeps one row."""
    now = utc(now)
    by_kind = {policy.kind: policy for policy in policies}
    lessons = list(report.lessons)
    implied = _failure_without_lesson(report)
    if implied is not None:
        lessons.append(implied)
    captured: list[MemoryInput] = []
    for lesson in lessons:
        kind = LESSON_KINDS[lesson.category]
        if by_kind and kind not in by_kind:
            continue
        policy = by_kind.get(kind)
        expires_at = (
            now + policy.retention if policy is not None and policy.retention is not None else None
        )
        tags = [*lesson.tags, lesson.category]
        if task_id:
            tags.append(f"task:{task_id}")
        content = _content(lesson, report)
        captured.append(
            MemoryInput(
                agent=agent,
                kind=kind,
                content=content,
                tags=tags,
                importance=lesson.importance,
                source_event=source_event,
                created_at=now,
                expires_at=expires_at,
            )
        )
    return captured


__all__ = ["LESSON_KINDS", "capture_learning"]
