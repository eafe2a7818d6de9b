"""Writing memories: validation, redaction, a stable id, and one insert per batch.

A bulk import (100,000 memories) is mostly per-record Python work, so each record becomes
the row the driver takes in one pass (`prepare_row`), and the batch is written with one
`executemany` per table and indexed for full-text search by one statement.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select, text

from charter.protocols import MemoryKind

from . import memory_count
from .backend import Dialect
from .records import MemoryInput, memory_id_for_stamp, normalise_tags, utc
from .redaction import redact
from .tables import MemoryRow, MemoryTagRow

MEMORIES = MemoryRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it
TAGS = MemoryTagRow.__table__  # type: ignore[attr-defined]

# The memory table's columns in the order of `PreparedRow.values`, after `seq`.
MEMORY_COLUMNS = (
    "seq",
    "run_id",
    "id",
    "agent",
    "kind",
    "content",
    "tags",
    "importance",
    "source_event",
    "created_at",
    "expires_at",
)
# A kind given as the enum or as its value -> the value (a dict lookup per record
# instead of an enum call).
_KIND_VALUES: dict[str, str] = {kind.value: kind.value for kind in MemoryKind}


class PreparedRow(NamedTuple):
    """One memory, validated and redacted, ready for the driver."""

    memory_id: str
    values: tuple[Any, ...]  # MEMORY_COLUMNS without `seq` and `run_id`
    tags: tuple[str, ...]
    counts: dict[str, int]  # what redaction replaced, by kind (usually empty)


def prepare_row(record: MemoryInput, dialect: Dialect) -> PreparedRow:
    """Validate and redact one memory before it is written."""
    if not record.agent:
        raise ValueError("a memory needs an agent")
    if not 0.0 <= record.importance <= 1.0:
        raise ValueError(f"memory importance {record.importance}: expected 0.0-1.0")
    kind = _KIND_VALUES.get(record.kind)
    if kind is None:
        kind = MemoryKind(record.kind).value  # raises the enum's own ValueError
    content, counts = redact(record.content)
    tags, joined, tag_counts = _clean_tags(tuple(record.tags))
    if tag_counts:
        counts = dict(counts)
        for name, number in tag_counts:
            counts[name] = counts.get(name, 0) + number
    created = utc(record.created_at)
    stamp = created.isoformat(timespec="microseconds")
    memory_id = record.memory_id or memory_id_for_stamp(record.agent, kind, content, stamp)
    expires = None if record.expires_at is None else utc(record.expires_at)
    if dialect == "sqlite":
        created_value: Any = _sqlite_text(created, stamp)
        expires_value: Any = None if expires is None else expires.isoformat(" ")
    else:
        created_value, expires_value = created, expires
    values = (
        memory_id,
        record.agent,
        kind,
        content,
        joined,
        float(record.importance),
        record.source_event,
        created_value,
        expires_value,
    )
    return PreparedRow(memory_id, values, tags, counts)


def _sqlite_text(value: datetime, stamp: str) -> str:
    """What Python's sqlite3 writes for an aware datetime, `value.isoformat(" ")` (the form
    of every stored timestamp and every bound comparison), cut from the id's ISO text
    (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`): one formatting per record instead of two."""
    if value.microsecond:
        return f"{stamp[:10]} {stamp[11:]}"
    return f"{stamp[:10]} {stamp[11:19]}{stamp[26:]}"


_CLEAN_TAGS: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
_CLEAN_TAGS_MAX = 4096


def _clean_tags(
    tags: tuple[str, ...],
) -> tuple[tuple[str, ...], str, tuple[tuple[str, int], ...]]:
    """Redacted, normalised tags, space-joined for the text index, and what was redacted.
    A run uses a few tag sets over and over (a bulk import spent a third of its Python
    time here), so clean sets are cached; sets that held something to redact are not, so
    no secret stays in memory."""
    known = _CLEAN_TAGS.get(tags)
    if known is not None:
        return known[0], known[1], ()
    cleaned: list[str] = []
    counts: dict[str, int] = {}
    for tag in tags:
        value, found = redact(tag)
        cleaned.append(value)
        for name, number in found.items():
            counts[name] = counts.get(name, 0) + number
    result = tuple(normalise_tags(cleaned))
    joined = " ".join(result)
    if not counts and len(_CLEAN_TAGS) < _CLEAN_TAGS_MAX:
        _CLEAN_TAGS[tags] = (result, joined)
    return result, joined, tuple(counts.items())


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cycle collection while a batch is prepared and written. A 100,000-memory import
    allocates millions of objects, none in a cycle; the collector's full passes over the
    growing heap cost 0.3-1 s of it. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def insert_memories(connection: Connection, run_id: str, rows: Sequence[PreparedRow]) -> list[str]:
    """Insert under the caller's write lock; ids already stored are left as they are."""
    ids: list[str] = []
    fresh: dict[str, PreparedRow] = {}
    for row in rows:
        ids.append(row.memory_id)
        fresh.setdefault(row.memory_id, row)
    top = int(connection.execute(select(func.max(MEMORIES.c.seq))).scalar() or 0)
    # An empty table knows none.
    known = _known_ids(connection, run_id, list(fresh)) if top else set()
    memory_rows: list[tuple[Any, ...]] = []
    tag_rows: list[tuple[int, str]] = []
    seq = top
    for key, row in fresh.items():
        if key in known:
            continue
        seq += 1
        memory_rows.append((seq, run_id, *row.values))
        tag_rows.extend((seq, tag) for tag in row.tags)
    if not memory_rows:
        return ids
    if connection.dialect.name == "sqlite":
        _sqlite_insert(connection, memory_rows, tag_rows, top)
    else:
        _postgres_insert(connection, memory_rows, tag_rows)
    memory_count.adjust(connection, run_id, len(memory_rows))
    return ids


def _known_ids(connection: Connection, run_id: str, candidates: list[str]) -> set[str]:
    """Which of these memory ids are stored already (raw driver: no per-call compiling)."""
    known: set[str] = set()
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        if connection.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in chunk)
            found = connection.exec_driver_sql(
                f"SELECT id FROM charter_memories WHERE run_id = ? AND id IN ({marks})",
                (run_id, *chunk),
            )
        else:
            found = connection.execute(
                select(MEMORIES.c.id).where(MEMORIES.c.run_id == run_id, MEMORIES.c.id.in_(chunk))
            )
        known.update(found.scalars())
    return known


def _sqlite_insert(
    connection: Connection,
    memory_rows: list[tuple[Any, ...]],
    tag_rows: list[tuple[int, str]],
    top: int,
) -> None:
    # Plain tuples straight to the driver: SQLAlchemy's per-row parameter handling would
    # cost more than SQLite's own work on a bulk import.
    marks = ", ".join("?" for _ in MEMORY_COLUMNS)
    connection.exec_driver_sql(
        f"INSERT INTO charter_memories ({', '.join(MEMORY_COLUMNS)}) VALUES ({marks})",
        memory_rows,
    )
    if tag_rows:
        connection.exec_driver_sql(
            "INSERT INTO charter_memory_tags (memory_seq, tag) VALUES (?, ?)", tag_rows
        )
    # One statement indexes the whole batch: several times faster than a per-row trigger
    # (migration 3 dropped it), and the batch is in this same transaction.
    connection.execute(
        text(
            "INSERT INTO charter_memories_fts(rowid, content, tags) "
            "SELECT seq, content, tags FROM charter_memories WHERE seq > :top"
        ),
        {"top": top},
    )


def _postgres_insert(
    connection: Connection,
    memory_rows: list[tuple[Any, ...]],
    tag_rows: list[tuple[int, str]],
) -> None:
    # COPY, not INSERT: an executemany is one statement per row through the driver's
    # pipeline, most of a bulk import's time on this backend.
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY charter_memories ({', '.join(MEMORY_COLUMNS)}) FROM STDIN") as copy:
            for row in memory_rows:
                copy.write_row(row)
        with cursor.copy("COPY charter_memory_tags (memory_seq, tag) FROM STDIN") as copy:
            for pair in tag_rows:
                copy.write_row(pair)
    finally:
        cursor.close()
    if len(memory_rows) >= 1000:
        # A big batch sits in the GIN index's pending list, which the planner prices so
        # high that it scans the whole table instead; merge it and refresh the statistics.
        connection.exec_driver_sql(
            "SELECT gin_clean_pending_list('ix_charter_memories_search'::regclass)"
        )
        connection.exec_driver_sql("ANALYZE charter_memories")


__all__ = ["MEMORIES", "TAGS", "PreparedRow", "gc_paused", "insert_memories", "prepare_row"]
