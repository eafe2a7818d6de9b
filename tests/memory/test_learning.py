"""Learning capture: a report becomes memories of the right kind (pure, then stored)."""

from __future__ import annotations

from datetime import timedelta

from charter.memory import LESSON_KINDS, RunStore, capture_learning
from charter.protocols import AgentReport, Lesson, MemoryKind, MemoryPolicy

from .conftest import START

_EXPECTED = {
    "failure": MemoryKind.ERROR,
    "pattern": MemoryKind.PATTERN,
    "classification": MemoryKind.GOVERNANCE,
    "protocol": MemoryKind.COLLABORATION,
    "recovery": MemoryKind.RELIABILITY,
    "decision": MemoryKind.PROJECT,
    "standard": MemoryKind.TEAM,
}


def _report(*lessons: Lesson, status: str = "success") -> AgentReport:
    return AgentReport(
        task_id="t-1",
        status=status,  # type: ignore[arg-type]
        summary="load_orders fixed",
        recommendations=["add a unique index on staging"],
        lessons=list(lessons),
    )


def test_each_category_maps_to_its_kind() -> None:
    assert _EXPECTED == LESSON_KINDS
    lessons = [Lesson(category=c, summary=f"{c} lesson") for c in _EXPECTED]  # type: ignore[arg-type]
    captured = capture_learning(
        _report(*lessons), agent="data", task_id="t-1", source_event="ev-9", now=START, policies=[]
    )
    assert [m.kind for m in captured] == list(_EXPECTED.values())
    assert all(m.source_event == "ev-9" and m.created_at == START for m in captured)
    assert all("task:t-1" in m.tags and m.expires_at is None for m in captured)


def test_failure_keeps_its_recovery_and_decision_its_impact() -> None:
    captured = capture_learning(
        _report(
            Lesson(category="failure", summary="duplicate key in load_orders"),
            Lesson(category="decision", summary="partition orders by month", detail="p95 -40%"),
        ),
        agent="data",
        task_id="t-1",
        source_event=None,
        now=START,
        policies=[],
    )
    assert captured[0].content == (
        "duplicate key in load_orders — recovery: add a unique index on staging"
    )
    assert captured[1].content == "partition orders by month — impact: p95 -40%"


def test_a_failed_report_without_lessons_is_still_an_error_memory() -> None:
    report = AgentReport(task_id="t", status="failed", summary="backup restore failed")
    captured = capture_learning(
        report, agent="data", task_id="t", source_event=None, now=START, policies=[]
    )
    assert [(m.kind, m.content) for m in captured] == [(MemoryKind.ERROR, "backup restore failed")]


def test_policies_choose_kinds_and_expiry() -> None:
    policies = [
        MemoryPolicy(kind=MemoryKind.ERROR, retention=timedelta(days=30)),
        MemoryPolicy(kind=MemoryKind.TEAM, retention=None),
    ]
    captured = capture_learning(
        _report(
            Lesson(category="failure", summary="f"),
            Lesson(category="standard", summary="s"),
            Lesson(category="pattern", summary="p"),  # the charter keeps no pattern memory
        ),
        agent="data",
        task_id=None,
        source_event=None,
        now=START,
        policies=policies,
    )
    assert [(m.kind, m.expires_at) for m in captured] == [
        (MemoryKind.ERROR, START + timedelta(days=30)),
        (MemoryKind.TEAM, None),
    ]


def test_captured_memories_store_once_and_come_back_in_context(store: RunStore) -> None:
    captured = capture_learning(
        _report(Lesson(category="failure", summary="orders load hit a duplicate key")),
        agent="data",
        task_id="t-1",
        source_event="ev-1",
        now=START,
        policies=[],
    )
    first = store.add_memories(captured)
    again = store.add_memories(captured)  # a re-executed node
    assert first == again and store.memory_count() == 1
    snippets = store.prepare_context(agent="data", query="duplicate key on orders", now=START)
    assert [s.id for s in snippets] == first
    assert snippets[0].kind is MemoryKind.ERROR
