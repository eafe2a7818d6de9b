"""The one place memory is wired into the graph: context preparation before a turn and
learning capture after a report (both from `charter.memory`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from charter.memory import capture_learning as _capture
from charter.protocols import AgentReport, MemoryKind, MemoryPolicy, MemorySnippet

from .ports import RunStoreLike


def prepare_context(
    store: RunStoreLike,
    *,
    agent: str,
    query: str,
    now: datetime,
    kinds: list[MemoryKind] | None,
) -> list[MemorySnippet]:
    # Strictly before the item's time: lessons of items due at the same instant stay out,
    # so the context does not depend on which of them a worker ran first.
    return store.prepare_context(
        agent=agent, query=query, now=now, kinds=kinds, strictly_before=True
    )


def capture_learning(
    store: RunStoreLike,
    *,
    agent: str,
    report: AgentReport,
    task_id: str | None,
    source_event: str,
    now: datetime,
    policies: list[MemoryPolicy],
    id_for: Callable[[int], str],
) -> list[tuple[str, MemoryKind, str, list[str]]]:
    """Store what the report teaches; (id, kind, content, tags) of each memory.

    Ids come from `id_for(index)` so a re-executed node stores nothing twice."""
    inputs = _capture(
        report,
        agent=agent,
        task_id=task_id,
        source_event=source_event,
        now=now,
        policies=policies,
    )
    inputs = [dataclasses.replace(m, memory_id=id_for(i)) for i, m in enumerate(inputs)]
    ids = store.add_memories(inputs)
    return [(mid, m.kind, m.content, list(m.tags)) for mid, m in zip(ids, inputs, strict=True)]


__all__ = ["capture_learning", "prepare_context"]
