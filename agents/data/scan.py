"""The shared scan of a table: aggregates for many checks answered by as few passes over
the rows as the database allows, using both cores where the driver lets it.

Measured on a million-row SQLite table (see `benchmarks/data_tools.py`): FILTER aggregates
instead of SUM(CASE ...), distinct counts in a query of their own running alongside the
main scan, and the main scan split into two rowid ranges on two connections.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    UniqueConstraint,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import AssertionPool, NullPool, QueuePool, SingletonThreadPool, StaticPool

from .schema_types import type_family

_Cond = ColumnElement[bool]
# Below this many rowids a second connection costs more than half a scan saves.
_SPLIT_ROWS = 200_000


def never_null(table: Table, name: str, dialect: str) -> bool:
    column = table.c[name]
    if not column.nullable:
        return True
    if not column.primary_key:
        return False
    # SQLite lets NULL into primary keys, except the INTEGER PRIMARY KEY (the rowid alias).
    if dialect != "sqlite":
        return True
    return len(table.primary_key.columns) == 1 and type_family(column.type) == "integer"


def guaranteed_unique(table: Table, names: Sequence[str], dialect: str) -> bool:
    """True when a primary key, unique constraint or unique index over never-null columns,
    all among `names`, already makes the combination unique: nothing to scan for."""
    keys: list[set[str]] = [{c.name for c in table.primary_key.columns}]
    keys += [
        {c.name for c in u.columns} for u in table.constraints if isinstance(u, UniqueConstraint)
    ]
    keys += [{c.name for c in i.columns} for i in table.indexes if i.unique]
    wanted = set(names)
    return any(
        key and key <= wanted and all(never_null(table, n, dialect) for n in key) for key in keys
    )


def supports_filter(engine: Engine) -> bool:
    """Aggregate ``FILTER (WHERE ...)``: SQLite 3.30+, PostgreSQL 9.4+. The database then
    tests a condition and skips the row, instead of evaluating a CASE and adding a zero for
    every row; on a million rows and a dozen checks this alone took a third off the scan."""
    if engine.dialect.name == "postgresql":
        return True
    if engine.dialect.name == "sqlite":
        return sqlite3.sqlite_version_info >= (3, 30, 0)
    return False


def can_fan_out(engine: Engine) -> bool:
    """Whether queries may run on further connections from worker threads. Not with a pool
    that hands every thread the same connection (StaticPool) or one per thread
    (SingletonThreadPool), nor for SQLite in memory, where each connection has its own
    database; nor with a pool too small to lend three more connections."""
    pool = engine.pool
    if isinstance(pool, StaticPool | SingletonThreadPool | NullPool | AssertionPool):
        return isinstance(pool, NullPool) and _file_backed(engine)
    overflow = pool._max_overflow if isinstance(pool, QueuePool) else -1
    if isinstance(pool, QueuePool) and overflow >= 0 and pool.size() + overflow < 4:
        return False
    return _file_backed(engine)


def _file_backed(engine: Engine) -> bool:
    if engine.dialect.name != "sqlite":
        return True
    database = engine.url.database
    return database not in (None, "", ":memory:") and "mode=memory" not in str(engine.url)


class Aggregates:
    """The select list of the one scan; identical aggregates (several checks on the same
    column share a domain) are computed once. The main list holds only counts, which add
    up over row ranges, so the scan can be split across connections. Distinct counts and
    maxima go to a list of their own, run over the whole table: a distinct count builds a
    temporary index of every value (the costliest part of a scan), so that query runs on
    another connection while the main scan runs."""

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        self._filter = supports_filter(engine)
        self.columns: list[Any] = [func.count()]
        self.whole: list[Any] = []
        self._seen: dict[str, int] = {}

    @property
    def has_distinct(self) -> bool:
        return any(key.startswith("distinct:") for key in self._seen)

    def count_distinct(self, column: Any) -> int:
        """The slot (negative: in the whole-table query) of COUNT(DISTINCT column)."""
        return self._add_whole(f"distinct:{column.name}", func.count(column.distinct()))

    def maximum(self, column: Any) -> int:
        """The slot (negative: in the whole-table query) of MAX(column)."""
        return self._add_whole(f"max:{column.name}", func.max(column))

    def minimum(self, column: Any) -> int:
        """The slot (negative: in the whole-table query) of MIN(column)."""
        return self._add_whole(f"min:{column.name}", func.min(column))

    def _add_whole(self, key: str, expression: Any) -> int:
        if key not in self._seen:
            self.whole.append(expression)
            self._seen[key] = -len(self.whole)
        return self._seen[key]

    def count_where(self, condition: _Cond) -> int:
        """The slot of "rows where `condition` is true" (NULL counts as false)."""
        if self._filter:
            return self.add(func.count().filter(condition))
        return self.add(func.coalesce(func.sum(case((condition, 1), else_=0)), 0))

    def add(self, expression: Any) -> int:
        try:
            key = str(
                expression.compile(dialect=self._dialect, compile_kwargs={"literal_binds": True})
            )
        except Exception:  # a value without a literal form: do not share it
            key = f"#{len(self.columns)}"
        if key not in self._seen:  # "distinct:"/"max:" keys never look like compiled SQL
            self._seen[key] = len(self.columns)
            self.columns.append(expression)
        return self._seen[key]


class ScanRow:
    """One result row over the main scan and the whole-table query (negative slots)."""

    def __init__(self, main: Sequence[Any], distinct: Sequence[Any]) -> None:
        self._main, self._distinct = main, distinct

    def __getitem__(self, slot: int) -> Any:
        return self._main[slot] if slot >= 0 else self._distinct[-slot - 1]


class Scanner:
    """Runs an `Aggregates` list over a table on `conn`, fanning out to connections of
    its own on `pool` where a second connection sees the same data."""

    def __init__(self, engine: Engine, conn: Connection, pool: ThreadPoolExecutor) -> None:
        self.engine, self.conn, self.pool = engine, conn, pool
        self.fan_out = can_fan_out(engine)

    def scan_all(self, table: Table, aggregates: Aggregates) -> ScanRow:
        """The main scan (split into row ranges when that can run in parallel) and the
        whole-table query, concurrently when a second connection sees the same data."""
        parts = self.row_ranges(table) if self.fan_out else [None]
        if len(parts) == 1 and not (self.fan_out and aggregates.has_distinct):
            # Nothing to run alongside: one query, as cheap as a scan gets.
            both = self.scan(table, aggregates.columns + aggregates.whole, None, self.conn)
            width = len(aggregates.columns)
            return ScanRow(both[:width], both[width:])
        whole_future = (
            self.pool.submit(self.scan, table, aggregates.whole, None) if aggregates.whole else None
        )
        futures = [self.pool.submit(self.scan, table, aggregates.columns, p) for p in parts[1:]]
        first = self.scan(table, aggregates.columns, parts[0], self.conn)
        # Counts and sums add up over row ranges; a SUM over no rows is NULL, i.e. 0 here
        # (a column's count tells the checks whether it had any value at all).
        sums = [value or 0 for value in first]
        for future in futures:
            sums = [a + (b or 0) for a, b in zip(sums, future.result(), strict=True)]
        return ScanRow(sums, whole_future.result() if whole_future else ())

    def row_ranges(self, table: Table) -> list[_Cond | None]:
        """Two halves of a large SQLite table by rowid, so both cores scan (the sqlite3
        driver releases the GIL while SQLite works); one range otherwise. PostgreSQL
        plans its own parallel scans."""
        names = {c.name.lower() for c in table.columns}
        if self.engine.dialect.name != "sqlite" or names & {"rowid", "_rowid_", "oid"}:
            return [None]
        rowid: Any = literal_column("rowid")
        try:
            # Two queries: SQLite reads MIN or MAX of the rowid off the b-tree's edge only
            # when it is the query's sole aggregate; together they cost a full scan.
            low = self.conn.execute(select(func.min(rowid)).select_from(table)).scalar()
            high = self.conn.execute(select(func.max(rowid)).select_from(table)).scalar()
        except SQLAlchemyError:  # a WITHOUT ROWID table
            return [None]
        if low is None or high is None or int(high) - int(low) < _SPLIT_ROWS:
            return [None]
        middle = (int(low) + int(high)) // 2
        return [rowid <= middle, rowid > middle]

    def scan(
        self,
        table: Table,
        columns: list[Any],
        where: _Cond | None,
        conn: Connection | None = None,
    ) -> Sequence[Any]:
        query = select(*columns).select_from(table)
        if where is not None:
            query = query.where(where)
        if conn is not None:
            return tuple(conn.execute(query).one())
        with self.engine.connect() as own:
            return tuple(own.execute(query).one())


__all__ = [
    "Aggregates",
    "ScanRow",
    "Scanner",
    "can_fan_out",
    "guaranteed_unique",
    "never_null",
    "supports_filter",
]
