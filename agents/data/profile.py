"""Column profiles computed in the database: type, null and distinct shares, min/max,
value lengths, plus shapes and personal-data shares from a bounded sample.

All counts come from aggregate queries (COUNT, MIN, MAX, length() in one scan; each
COUNT(DISTINCT) in a query of its own, two at a time on connections of their own while
the main scan runs, since each builds a temporary index of every value and the driver
releases the GIL meanwhile). A column that a primary key or unique constraint over
never-null columns makes unique needs no distinct count at all. The sample is the first
`sample_size` rows (deterministic; the database decides which rows come first), large
enough for value-format shares, never used for counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field
from sqlalchemy import Connection, Engine, LargeBinary, String, Table, func, select
from sqlalchemy.types import NullType

from charter.protocols import ConfigError, StrictModel

from .connect import list_tables, open_engine, plain, reflect_table, safe_url
from .ops_db import Progress
from .pii import value_shares
from .recognise import ValueReport, recognise
from .scan import can_fan_out, guaranteed_unique, never_null
from .schema_types import type_family


class PatternCount(StrictModel):
    """A value shape (letters -> a/A runs, digits -> 9) and how often it was sampled."""

    pattern: str
    count: int


class ColumnProfile(StrictModel):
    name: str
    type: str  # as the database declares it
    family: str  # portable type family (integer, text, datetime, ...)
    nullable: bool = True
    row_count: int
    null_count: int
    null_share: float
    distinct_count: int | None = None
    distinct_share: float | None = None  # of non-null values
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    sampled: int = 0  # non-null values scanned for patterns and PII
    patterns: list[PatternCount] = Field(default_factory=list)
    pii: dict[str, float] = Field(default_factory=dict)  # PII kind -> share of sampled values
    # What the values are (names, addresses, secrets, ...): only when asked for (classify).
    values: ValueReport | None = None


class TableProfile(StrictModel):
    table: str
    row_count: int
    columns: list[ColumnProfile]


class DatabaseProfile(StrictModel):
    database: str  # URL with any password hidden
    sample_size: int
    tables: list[TableProfile]

    def table(self, name: str) -> TableProfile:
        for table in self.tables:
            if table.table == name:
                return table
        raise KeyError(name)


_SHAPE_LETTERS = re.compile(r"[a-z]+")
_SHAPE_UPPER = re.compile(r"[A-Z]+")
_SHAPE_DIGITS = re.compile(r"[0-9]")


def shape(value: object, limit: int = 40) -> str:
    """``Ana.Lopez@example.com`` -> ``Aa.Aa@a.a``; ``415-555-0100`` -> ``999-999-9999``."""
    text = str(value)[:limit]
    text = _SHAPE_DIGITS.sub("9", text)
    text = _SHAPE_UPPER.sub("A", text)
    return _SHAPE_LETTERS.sub("a", text)


def _is_text(column: Any) -> bool:
    return isinstance(column.type, String | NullType)


class _Row:
    """The main scan's row, with distinct counts at negative slots."""

    def __init__(self, main: Sequence[Any], counted: Sequence[Any]) -> None:
        self._main, self._counted = main, counted

    def __getitem__(self, slot: int) -> Any:
        return self._main[slot] if slot >= 0 else self._counted[-slot - 1]


def _count_distinct(engine: Engine, table: Table, column: Any) -> int:
    with engine.connect() as conn:
        query = select(func.count(column.distinct())).select_from(table)
        return int(conn.execute(query).scalar_one())


def _aggregate(
    engine: Engine, conn: Connection, table: Table, aggregates: list[Any], distinct_of: list[Any]
) -> tuple[Sequence[Any], list[int]]:
    """The main aggregates on `conn` and the distinct counts, concurrently when a second
    connection sees the same data (not so for SQLite in memory)."""
    if not distinct_of:
        return conn.execute(select(*aggregates).select_from(table)).one(), []
    if not can_fan_out(engine):
        columns = aggregates + [func.count(c.distinct()) for c in distinct_of]
        both = conn.execute(select(*columns).select_from(table)).one()
        width = len(aggregates)
        return both[:width], [int(v) for v in both[width:]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_count_distinct, engine, table, c) for c in distinct_of]
        main = conn.execute(select(*aggregates).select_from(table)).one()
        return main, [future.result() for future in futures]


def profile_table(
    engine: Engine,
    name: str,
    *,
    sample_size: int = 1000,
    distinct: bool = True,
    top_patterns: int = 5,
    recognise_on: date | None = None,
) -> TableProfile:
    """Profile one table. `distinct=False` skips COUNT(DISTINCT) (the costly part).
    `recognise_on` (the day ages are measured from) also runs the value recognisers."""
    table: Table = reflect_table(engine, name)
    aggregates: list[Any] = [func.count()]
    distinct_of: list[Any] = []  # columns whose distinct values must be counted
    layout: list[dict[str, int]] = []
    for column in table.columns:
        if never_null(table, column.name, engine.dialect.name):
            slots: dict[str, int] = {"count": 0}  # COUNT(*): no aggregate call per row
        else:
            slots = {"count": len(aggregates)}
            aggregates.append(func.count(column))
        if distinct and guaranteed_unique(table, [column.name], engine.dialect.name):
            slots["distinct"] = slots["count"]  # every non-null value differs
        elif distinct:
            slots["distinct"] = -1 - len(distinct_of)
            distinct_of.append(column)
        if not isinstance(column.type, LargeBinary):
            slots["min"], slots["max"] = len(aggregates), len(aggregates) + 1
            aggregates += [func.min(column), func.max(column)]
        if _is_text(column):
            slots["min_length"], slots["max_length"] = len(aggregates), len(aggregates) + 1
            aggregates += [func.min(func.length(column)), func.max(func.length(column))]
        layout.append(slots)
    with engine.connect() as conn:
        main, counted = _aggregate(engine, conn, table, aggregates, distinct_of)
        sample = (
            conn.execute(select(*table.columns).limit(sample_size)).all() if sample_size else []
        )
    row = _Row(main, counted)
    total = int(row[0])
    profiles = []
    for position, (column, slots) in enumerate(zip(table.columns, layout, strict=True)):
        present = int(row[slots["count"]])
        values = [found[position] for found in sample if found[position] is not None]
        shares, scanned = value_shares(values)
        shapes = Counter(shape(v) for v in values if not isinstance(v, bytes))
        distinct_count = int(row[slots["distinct"]]) if "distinct" in slots else None
        profiles.append(
            ColumnProfile(
                name=column.name,
                type=str(column.type) if not isinstance(column.type, NullType) else "",
                family=type_family(column.type),
                nullable=bool(column.nullable),
                row_count=total,
                null_count=total - present,
                null_share=(total - present) / total if total else 0.0,
                distinct_count=distinct_count,
                distinct_share=(
                    distinct_count / present if present and distinct_count is not None else None
                ),
                min=plain(row[slots["min"]]) if "min" in slots else None,
                max=plain(row[slots["max"]]) if "max" in slots else None,
                min_length=row[slots["min_length"]] if "min_length" in slots else None,
                max_length=row[slots["max_length"]] if "max_length" in slots else None,
                sampled=scanned or len(values),
                patterns=[
                    PatternCount(pattern=p, count=c) for p, c in shapes.most_common(top_patterns)
                ],
                pii={str(kind): round(share, 6) for kind, share in shares.items()},
                values=None if recognise_on is None else recognise(values, today=recognise_on),
            )
        )
    return TableProfile(table=name, row_count=total, columns=profiles)


def profile_database(
    target: str | Path | Engine,
    tables: list[str] | None = None,
    *,
    sample_size: int = 1000,
    distinct: bool = True,
    progress: Progress | None = None,
    recognise_on: date | None = None,
) -> DatabaseProfile:
    """Profile `tables` (all tables of the default schema when None); `progress` hears
    of each table as it is done."""
    if sample_size < 0:
        raise ConfigError(f"sample size {sample_size}: expected 0 or more")
    engine = target if isinstance(target, Engine) else open_engine(target)
    try:
        names = tables or list_tables(engine)
        profiles = []
        for done, name in enumerate(names, start=1):
            profiles.append(
                profile_table(
                    engine,
                    name,
                    sample_size=sample_size,
                    distinct=distinct,
                    recognise_on=recognise_on,
                )
            )
            if progress is not None:
                progress(f"table {name}", done, len(names))
    finally:
        if engine is not target:  # opened here: release its connections (file handles)
            engine.dispose()
    return DatabaseProfile(database=safe_url(engine.url), sample_size=sample_size, tables=profiles)


__all__ = [
    "ColumnProfile",
    "DatabaseProfile",
    "PatternCount",
    "TableProfile",
    "profile_database",
    "profile_table",
    "shape",
]
