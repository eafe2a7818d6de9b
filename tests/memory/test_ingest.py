"""The bulk write path keeps the stored form: the same ids and timestamp texts as before."""

from __future__ import annotations

import gc
import random
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from charter.memory import MemoryInput, open_run_store
from charter.memory.ingest import _sqlite_text, gc_paused
from charter.memory.records import memory_id_for, utc
from charter.protocols import MemoryKind, VirtualClock

from .conftest import START


def test_sqlite_text_is_what_sqlite3_writes_for_a_datetime() -> None:
    rng = random.Random(5)
    base = datetime(1, 1, 1, tzinfo=UTC)
    for _ in range(2000):
        value = base + timedelta(
            days=rng.randint(0, 3_000_000),
            seconds=rng.randint(0, 86_399),
            microseconds=rng.choice((0, rng.randint(0, 999_999))),
        )
        stamp = value.isoformat(timespec="microseconds")
        assert _sqlite_text(value, stamp) == value.isoformat(" ")


def test_stored_ids_and_timestamps_keep_their_form(tmp_path: Path) -> None:
    plus_two = timezone(timedelta(hours=2))
    inputs = [
        _memory("naive, whole second", datetime(2026, 1, 1, 12, 0, 0), None),
        _memory("offset, fractional", datetime(2026, 1, 1, 12, 0, 0, 5, plus_two), START),
        _memory("utc", START, datetime(2026, 3, 1, 1, 2, 3, 4)),
    ]
    with open_run_store(f"sqlite:///{tmp_path / 'run.db'}", clock=VirtualClock(START)) as store:
        ids = store.add_memories(inputs)
    connection = sqlite3.connect(tmp_path / "run.db")
    rows = connection.execute(
        "SELECT id, created_at, expires_at FROM charter_memories ORDER BY seq"
    ).fetchall()
    connection.close()
    for record, memory_id, (stored_id, created, expires) in zip(inputs, ids, rows, strict=True):
        assert stored_id == memory_id
        assert memory_id == memory_id_for(
            record.agent, record.kind, record.content, record.created_at
        )
        assert created == utc(record.created_at).isoformat(" ")
        expected = None if record.expires_at is None else utc(record.expires_at).isoformat(" ")
        assert expires == expected


def _memory(content: str, created_at: datetime, expires_at: datetime | None) -> MemoryInput:
    return MemoryInput(
        agent="data",
        kind=MemoryKind.ERROR,
        content=content,
        created_at=created_at,
        expires_at=expires_at,
    )


def test_gc_pause_restores_the_collector_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()
