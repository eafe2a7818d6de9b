"""Versioned schema migrations of the run database.

A run database records its schema version in `charter_schema_version`, one row per step
applied. `migrate()` applies the missing steps in order, each in the transaction that
records it (SQLite and PostgreSQL both roll DDL back), so a failed step leaves the previous
version intact. A database newer than this Charter is refused with a clear message instead
of being guessed at.

Rules for a new step: append it to `STEPS` with the next number, never edit a released
step, and make it idempotent where the DDL allows (`IF NOT EXISTS`), because step 1 creates
tables from the current SQLModel classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, select, text

from charter.protocols import ConfigError

from .backend import Dialect
from .tables import (
    AuditRow,
    AuthorityRow,
    EscalationRow,
    EventRow,
    MemoryRow,
    MemoryTagRow,
    MessageRow,
    MetaRow,
    RunRow,
    SchemaVersionRow,
    WorkRow,
)

_VERSION = SchemaVersionRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    apply: Callable[[Connection, Dialect], None]


def _base_tables(connection: Connection, _dialect: Dialect) -> None:
    models = (EventRow, EscalationRow, MessageRow, AuthorityRow, MemoryRow, AuditRow, MetaRow)
    for model in models:
        model.__table__.create(connection, checkfirst=True)  # type: ignore[union-attr]  # SQLModel


def _memory_search(connection: Connection, dialect: Dialect) -> None:
    MemoryTagRow.__table__.create(connection, checkfirst=True)  # type: ignore[attr-defined]
    if dialect == "sqlite":
        for statement in _SQLITE_FTS:
            connection.exec_driver_sql(statement)
        # Memories written before this step get indexed too.
        connection.exec_driver_sql(
            "INSERT INTO charter_memories_fts(charter_memories_fts) VALUES ('rebuild')"
        )
    else:
        for statement in _POSTGRES_FTS:
            connection.exec_driver_sql(statement)
    memories = MemoryRow.__table__  # type: ignore[attr-defined]
    tags = MemoryTagRow.__table__  # type: ignore[attr-defined]
    rows = [
        {"memory_seq": seq, "tag": tag}
        for seq, joined in connection.execute(select(memories.c.seq, memories.c.tags))
        for tag in sorted(set(joined.split()))
    ]
    if rows:
        connection.execute(tags.insert(), rows)


# External-content FTS5 over the memory table, kept in step by triggers. Porter stemming
# so "failure" finds "failures"; the row's integer `seq` is the index's rowid.
_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS charter_memories_fts USING fts5("
    "content, tags, content='charter_memories', content_rowid='seq', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS charter_memories_ai AFTER INSERT ON charter_memories BEGIN "
    "INSERT INTO charter_memories_fts(rowid, content, tags) "
    "VALUES (new.seq, new.content, new.tags); END",
    "CREATE TRIGGER IF NOT EXISTS charter_memories_ad AFTER DELETE ON charter_memories BEGIN "
    "INSERT INTO charter_memories_fts(charter_memories_fts, rowid, content, tags) "
    "VALUES ('delete', old.seq, old.content, old.tags); "
    "DELETE FROM charter_memory_tags WHERE memory_seq = old.seq; END",
    "CREATE TRIGGER IF NOT EXISTS charter_memories_au AFTER UPDATE ON charter_memories BEGIN "
    "INSERT INTO charter_memories_fts(charter_memories_fts, rowid, content, tags) "
    "VALUES ('delete', old.seq, old.content, old.tags); "
    "INSERT INTO charter_memories_fts(rowid, content, tags) "
    "VALUES (new.seq, new.content, new.tags); END",
)

_POSTGRES_FTS = (
    "ALTER TABLE charter_memories ADD COLUMN IF NOT EXISTS search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', content || ' ' || tags)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_charter_memories_search ON charter_memories USING gin (search)",
    "CREATE OR REPLACE FUNCTION charter_memories_drop_tags() RETURNS trigger AS $$ "
    "BEGIN DELETE FROM charter_memory_tags WHERE memory_seq = OLD.seq; RETURN OLD; END "
    "$$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS charter_memories_ad ON charter_memories",
    "CREATE TRIGGER charter_memories_ad AFTER DELETE ON charter_memories "
    "FOR EACH ROW EXECUTE FUNCTION charter_memories_drop_tags()",
)


def _index_in_batches(connection: Connection, dialect: Dialect) -> None:
    # The store now indexes each insert batch with one statement; the per-row trigger
    # would index every memory twice.
    if dialect == "sqlite":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS charter_memories_ai")


def _fts_without_lengths(connection: Connection, dialect: Dialect) -> None:
    # Ranking uses posting lists only (never bm25), so FTS5's per-row length table is
    # dead weight: without it a bulk import indexes ~40% faster. The index is rebuilt
    # from the memory table; the delete/update triggers name the table, not its options.
    if dialect == "sqlite":
        connection.exec_driver_sql("DROP TABLE IF EXISTS charter_memories_fts")
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE charter_memories_fts USING fts5("
            "content, tags, content='charter_memories', content_rowid='seq', "
            "tokenize='porter unicode61', columnsize=0)"
        )
        connection.exec_driver_sql(
            "INSERT INTO charter_memories_fts(charter_memories_fts) VALUES ('rebuild')"
        )


def _tags_by_key(connection: Connection, dialect: Dialect) -> None:
    # SQLite: the tag table as one b-tree keyed by (memory_seq, tag) instead of a rowid
    # table plus two indexes over the same pairs; the tag filter probes that key. A bulk
    # import writes a third of the pages. The delete trigger names the table, so it is
    # dropped while the tables are swapped and made again unchanged.
    if dialect != "sqlite":
        return
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS charter_memories_ad")
    connection.exec_driver_sql(
        "CREATE TABLE charter_memory_tags_by_key (memory_seq INTEGER NOT NULL, "
        "tag VARCHAR NOT NULL, PRIMARY KEY (memory_seq, tag)) WITHOUT ROWID"
    )
    connection.exec_driver_sql(
        "INSERT INTO charter_memory_tags_by_key (memory_seq, tag) "
        "SELECT memory_seq, tag FROM charter_memory_tags"
    )
    connection.exec_driver_sql("DROP TABLE charter_memory_tags")
    connection.exec_driver_sql(
        "ALTER TABLE charter_memory_tags_by_key RENAME TO charter_memory_tags"
    )
    connection.exec_driver_sql(_SQLITE_FTS[2])


def _work_threads(connection: Connection, _dialect: Dialect) -> None:
    # A run is many threads: the work-item table the scheduler picks from, and each
    # event's thread for the canonical digest order. Step 1 makes tables from the current
    # classes, so a new store already has the column.
    columns = {c["name"] for c in inspect(connection).get_columns("charter_events")}
    if "thread" not in columns:
        connection.exec_driver_sql(
            "ALTER TABLE charter_events ADD COLUMN thread TEXT NOT NULL DEFAULT ''"
        )
    WorkRow.__table__.create(connection, checkfirst=True)  # type: ignore[attr-defined]


# Tables that carry a run id from step 7 on, oldest first (rebuilt in this order).
_RUN_KEYED = (
    EventRow,
    WorkRow,
    EscalationRow,
    MessageRow,
    AuthorityRow,
    MemoryRow,
    AuditRow,
    MetaRow,
)
DEFAULT_RUN = "default"  # the run id of a store's rows written before runs were named


def _stored_run(connection: Connection) -> tuple[str, str, int] | None:
    """(run id, scenario name, seed) from a pre-step-7 store's `run_started` event."""
    row = connection.exec_driver_sql(
        "SELECT payload FROM charter_events WHERE kind = 'run_started' ORDER BY seq LIMIT 1"
    ).first()
    if row is None:
        return None
    payload = json.loads(row[0])
    return str(payload["run_id"]), str(payload.get("scenario") or ""), int(payload["seed"])


def _runs_keyed(connection: Connection, dialect: Dialect) -> None:
    # Every table keyed by run id. Primary keys change, which neither backend can alter in
    # place everywhere (SQLite not at all), so each table is rebuilt: renamed aside, made
    # again from its current class, its rows copied with the store's one run id, dropped.
    stored = _stored_run(connection)
    run_id = stored[0] if stored else DEFAULT_RUN
    RunRow.__table__.create(connection, checkfirst=True)  # type: ignore[attr-defined]
    if stored is not None:
        events = EventRow.__table__  # type: ignore[attr-defined]
        first = connection.execute(select(func.min(events.c.at))).scalar()
        connection.execute(
            RunRow.__table__.insert().values(  # type: ignore[attr-defined]
                run_id=run_id, name=stored[1], seed=stored[2], created_at=first
            )
        )
    if dialect == "sqlite":
        # Triggers follow a renamed table and would be dropped with it; made again below.
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS charter_memories_ad")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS charter_memories_au")
    for model in _RUN_KEYED:
        _rebuild_with_run(connection, dialect, model.__table__, run_id)  # type: ignore[union-attr]
    if dialect == "sqlite":
        connection.exec_driver_sql(_SQLITE_FTS[2])
        connection.exec_driver_sql(_SQLITE_FTS[3])
    else:
        for statement in _POSTGRES_FTS:
            connection.exec_driver_sql(statement)


def _rebuild_with_run(connection: Connection, dialect: Dialect, table: Any, run_id: str) -> None:
    name = table.name
    aside = f"{name}_v6"
    inspector = inspect(connection)
    if not inspector.has_table(name):
        table.create(connection)
        return
    old_columns = {column["name"] for column in inspector.get_columns(name)}
    if "run_id" in old_columns:
        return  # made by step 1 or 6 from the current class already
    # Index and constraint names live beside the table's: free them for the new table.
    for index in inspector.get_indexes(name):
        if index.get("name") and not str(index["name"]).startswith("sqlite_autoindex"):
            connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{index["name"]}"')
    if dialect == "postgresql":
        for unique in inspector.get_unique_constraints(name):
            connection.exec_driver_sql(f'ALTER TABLE "{name}" DROP CONSTRAINT "{unique["name"]}"')
        primary = inspector.get_pk_constraint(name).get("name")
        if primary:
            connection.exec_driver_sql(f'ALTER TABLE "{name}" DROP CONSTRAINT "{primary}"')
    connection.exec_driver_sql(f'ALTER TABLE "{name}" RENAME TO "{aside}"')
    table.create(connection)
    copied = [column.name for column in table.columns if column.name in old_columns - {"run_id"}]
    listed = ", ".join(f'"{column}"' for column in copied)
    connection.execute(
        text(f'INSERT INTO "{name}" ({listed}, run_id) SELECT {listed}, :run FROM "{aside}"'),
        {"run": run_id},
    )
    connection.exec_driver_sql(f'DROP TABLE "{aside}"')


def _agent_events_in_order(connection: Connection, _dialect: Dialect) -> None:
    # (run_id, agent) alone left SQLite sorting an agent's events by seq after the lookup,
    # or scanning the primary key instead: 44 ms of a 100,000-event TUI filter, 13 ms now.
    connection.execute(text("DROP INDEX IF EXISTS ix_charter_events_agent"))
    connection.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_charter_events_agent_seq "
            "ON charter_events (run_id, agent, seq)"
        )
    )


STEPS: tuple[Step, ...] = (
    Step(1, "events, escalations, messages, authority decisions, memories, audit", _base_tables),
    Step(2, "memory tags and full-text search", _memory_search),
    Step(3, "full-text indexing per insert batch", _index_in_batches),
    Step(4, "full-text index without per-row lengths", _fts_without_lengths),
    Step(5, "memory tags keyed by (memory, tag) alone", _tags_by_key),
    Step(6, "work items as threads; each event's thread", _work_threads),
    Step(7, "every table keyed by run id; the runs a store holds; work claims", _runs_keyed),
    Step(8, "an agent's events indexed in sequence order", _agent_events_in_order),
)
LATEST = STEPS[-1].version


def current_version(connection: Connection) -> int:
    if not inspect(connection).has_table(_VERSION.name):
        return 0
    found = connection.execute(select(_VERSION.c.version).order_by(_VERSION.c.version.desc()))
    value = found.scalar()
    return int(value) if value is not None else 0


def migrate(
    engine: Engine, dialect: Dialect, *, now: datetime, url: str, target: int = LATEST
) -> int:
    """Bring the database to `target` (default: the latest). Returns the version it is at."""
    with engine.begin() as connection:
        if dialect == "postgresql":
            # One migrator at a time per schema; the others wait, then find nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema()))"))
        _VERSION.create(connection, checkfirst=True)
        version = current_version(connection)
        if version > LATEST:
            raise ConfigError(
                f"run database {url}: schema version {version} is newer than this Charter "
                f"supports ({LATEST}); open it with a newer Charter"
            )
        for step in STEPS:
            if version < step.version <= target:
                step.apply(connection, dialect)
                connection.execute(
                    _VERSION.insert().values(version=step.version, name=step.name, applied_at=now)
                )
                version = step.version
        return version


__all__ = ["DEFAULT_RUN", "LATEST", "STEPS", "Step", "current_version", "migrate"]
