"""Conformance: memory records, full-text search and context preparation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from charter.memory import MemoryInput, RunStore
from charter.protocols import MemoryKind

from .conftest import START


def _add(
    store: RunStore,
    content: str,
    kind: MemoryKind = MemoryKind.ERROR,
    *,
    agent: str = "data",
    tags: list[str] | None = None,
    importance: float = 0.5,
    age: timedelta = timedelta(0),
    expires_in: timedelta | None = None,
) -> str:
    created = START - age
    return store.add_memory(
        agent=agent,
        kind=kind,
        content=content,
        tags=tags or [],
        importance=importance,
        source_event="ev-1",
        created_at=created,
        expires_at=None if expires_in is None else START + expires_in,
    )


def test_add_and_show_round_trip(store: RunStore) -> None:
    memory_id = _add(store, "Orders pipeline failed on a duplicate key", tags=["Pipeline", "ETL"])
    record = store.get_memory(memory_id)
    assert record is not None
    assert record.content == "Orders pipeline failed on a duplicate key"
    assert record.kind is MemoryKind.ERROR
    assert record.tags == ["etl", "pipeline"]
    assert record.created_at == START
    assert record.source_event == "ev-1"
    assert store.get_memory("mem-nope") is None


def test_same_memory_twice_is_one_row(store: RunStore) -> None:
    first = _add(store, "watermark loads avoid full scans", MemoryKind.PATTERN)
    second = _add(store, "watermark loads avoid full scans", MemoryKind.PATTERN)
    assert first == second
    assert store.memory_count() == 1
    explicit = store.add_memories(
        [MemoryInput(agent="data", kind=MemoryKind.TEAM, content="x", memory_id="m-1")] * 2
    )
    assert explicit == ["m-1", "m-1"]
    assert store.memory_count() == 2


def test_importance_must_be_a_fraction(store: RunStore) -> None:
    with pytest.raises(ValueError, match="importance"):
        _add(store, "too important", importance=1.5)
    assert store.memory_count() == 0


def test_search_is_full_text_with_stemming(store: RunStore) -> None:
    hit = _add(store, "The nightly pipeline failures came from schema drift")
    _add(store, "Cache invalidation strategy for the catalogue", MemoryKind.PATTERN)
    found = store.search_memories("pipeline failure")
    assert [record.id for record, _ in found] == [hit]
    assert store.search_memories("kubernetes") == []


def test_context_ranks_by_relevance_first(store: RunStore) -> None:
    strong = _add(store, "orders pipeline failure duplicate key orders pipeline")
    weak = _add(store, "a pipeline note", importance=0.5)
    _add(store, "unrelated cache tuning", importance=1.0)
    snippets = store.prepare_context(agent="data", query="orders pipeline failure", now=START)
    assert [s.id for s in snippets] == [strong, weak]
    assert snippets[0].score > snippets[1].score


def test_context_prefers_recent_then_important_among_equals(store: RunStore) -> None:
    old = _add(store, "replica lag alert on orders", age=timedelta(days=90))
    new = _add(store, "replica lag alert on orders db", age=timedelta(days=1))
    ids = [s.id for s in store.prepare_context(agent="data", query="replica lag", now=START)]
    assert ids.index(new) < ids.index(old)
    low = _add(store, "freshness check late", MemoryKind.PATTERN, importance=0.1)
    high = _add(store, "freshness check late again", MemoryKind.PATTERN, importance=0.9)
    ids = [s.id for s in store.prepare_context(agent="data", query="freshness", now=START)]
    assert ids.index(high) < ids.index(low)


def test_context_filters_kind_tag_agent_and_time(store: RunStore) -> None:
    error = _add(store, "orders load failed", MemoryKind.ERROR, tags=["etl"])
    governance = _add(store, "orders email column is confidential", MemoryKind.GOVERNANCE)
    _add(store, "orders load failed for architect", agent="architect")
    _add(store, "orders expired lesson", expires_in=timedelta(seconds=-1))
    _add(store, "orders lesson from the future", age=-timedelta(hours=1))
    everything = store.prepare_context(agent="data", query="orders", now=START)
    assert {s.id for s in everything} == {error, governance}
    only_governance = store.prepare_context(
        agent="data", query="orders", now=START, kinds=[MemoryKind.GOVERNANCE]
    )
    assert [s.id for s in only_governance] == [governance]
    tagged = store.prepare_context(agent="data", query="orders", now=START, tags=["ETL"])
    assert [s.id for s in tagged] == [error]
    later = store.prepare_context(agent="data", query="orders", now=START + timedelta(hours=2))
    assert len(later) == 3  # the future lesson exists by then


def test_context_keeps_per_kind_and_budget(store: RunStore) -> None:
    for number in range(6):
        _add(store, f"orders error number {number}", MemoryKind.ERROR)
        _add(store, f"orders pattern number {number}", MemoryKind.PATTERN)
    snippets = store.prepare_context(agent="data", query="orders", now=START, per_kind=2)
    kinds = [s.kind for s in snippets]
    assert kinds.count(MemoryKind.ERROR) == 2 and kinds.count(MemoryKind.PATTERN) == 2
    size = len("orders pattern number 0")  # the longer of the two
    budgeted = store.prepare_context(
        agent="data", query="orders", now=START, per_kind=10, budget_chars=3 * size
    )
    assert len(budgeted) == 3
    assert sum(len(s.content) for s in budgeted) <= 3 * size


def test_context_without_query_words_falls_back_to_importance(store: RunStore) -> None:
    low = _add(store, "minor note", importance=0.2)
    high = _add(store, "major note", importance=0.9)
    snippets = store.prepare_context(agent="data", query="the of and", now=START)
    assert [s.id for s in snippets] == [high, low]


def test_bulk_insert_keeps_tags_searchable(store: RunStore) -> None:
    records = [
        MemoryInput(
            agent="data",
            kind=MemoryKind.RELIABILITY,
            content=f"restore drill {number} verified",
            tags=["backup", f"drill-{number}"],
            created_at=START,
        )
        for number in range(50)
    ]
    ids = store.add_memories(records)
    assert len(set(ids)) == 50 and store.memory_count() == 50
    tagged = store.list_memories(tags=["drill-7"])
    assert [record.content for record in tagged] == ["restore drill 7 verified"]
    assert len(store.search_memories("restore drill", limit=100)) == 50


def test_an_agent_with_few_memories_still_finds_its_own(store: RunStore) -> None:
    # Many better text matches belong to another agent; the data agent's one must surface.
    store.add_memories(
        [
            MemoryInput(
                agent="engineer",
                kind=MemoryKind.PATTERN,
                content=f"replica lag replica lag note {number}",
                created_at=START,
            )
            for number in range(300)
        ]
    )
    mine = _add(store, "replica lag once paged the on-call")
    snippets = store.prepare_context(agent="data", query="replica lag", now=START)
    assert [s.id for s in snippets] == [mine]
