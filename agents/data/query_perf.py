"""Query performance: latency percentiles, plan reading, and index advice proven on a copy.

1. Each workload query runs `runs` times (after one warm-up); p50/p95 come from the
   measured durations (`time.perf_counter`, which measures the database, not run logic)
   and are judged against the seed's "p95 < 100 ms" (`TARGET_P95_MS`).
2. The plan is read with SQLite `EXPLAIN QUERY PLAN` or PostgreSQL `EXPLAIN (FORMAT JSON)`.
   A full scan is a SQLite `SCAN t` without an index, a SQLite automatic (per-query,
   throw-away) index, or a PostgreSQL `Seq Scan`.
3. For a fully scanned table, the columns the query filters or joins it on (read from the
   SQL's WHERE and ON clauses, resolved against the reflected schema) make the proposed
   index: equality columns first, then one range column.
4. The index is **proven on a copy** before it is proposed: on SQLite a backup-API copy of
   the file, on PostgreSQL a transaction that is rolled back (PostgreSQL DDL is
   transactional, so nothing persists). It counts as proven when the new plan uses the
   index and the query's p95 on the copy improved. Only proven indexes reach the proposed
   migration SQL.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
import sqlalchemy as sa
from pydantic import Field

from charter.protocols import ConfigError, StrictModel

from .ops_db import open_engine, safe_url, sqlite_path, sqlite_scratch_copy
from .query_sql import predicate_columns
from .sql_split import split_sql

TARGET_P95_MS = 100.0


class FullScan(StrictModel):
    table: str
    detail: str
    columns: list[str] = Field(default_factory=list)  # filtered/joined columns of the table


class QueryTiming(StrictModel):
    sql: str
    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    plan: list[str] = Field(default_factory=list)
    full_scans: list[FullScan] = Field(default_factory=list)


class IndexProposal(StrictModel):
    table: str
    columns: list[str]
    name: str
    create_sql: str
    query: str
    before_plan: list[str]
    after_plan: list[str]
    plan_uses_index: bool
    before_p95_ms: float
    after_p95_ms: float
    improved: bool
    proven: bool
    proven_on: Literal["sqlite-copy", "rolled-back-transaction"]


class WorkloadReport(StrictModel):
    url: str
    dialect: str
    queries: list[QueryTiming] = Field(default_factory=list)
    p50_ms: float
    p95_ms: float
    target_p95_ms: float = TARGET_P95_MS
    meets_target: bool
    proposals: list[IndexProposal] = Field(default_factory=list)
    migration_sql: str = ""
    notes: list[str] = Field(default_factory=list)  # candidates that could not be tried

    def figures(self) -> dict[str, float]:
        """The scorecard's figures (keys are success-metric keys)."""
        return {"query_p95_ms": self.p95_ms}


def read_workload(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"workload file {path}: cannot read ({error.strerror})") from None
    queries = [s.sql for s in split_sql(text)]
    if not queries:
        raise ConfigError(
            f"workload file {path}: no SQL statements, expected ';'-separated queries"
        )
    for statement in split_sql(text):
        if not re.match(r"(SELECT|WITH)\b", statement.sql, re.IGNORECASE):
            raise ConfigError(
                f"workload file {path} line {statement.line}: only SELECT/WITH queries are run, "
                f"got {statement.sql.split()[0]!r}"
            )
    return queries


def _time(connection: sa.Connection, sql: str, runs: int) -> list[float]:
    statement = sa.text(sql)
    connection.execute(statement).fetchall()  # warm-up: caches, statistics
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        connection.execute(statement).fetchall()
        durations.append((time.perf_counter() - started) * 1000.0)
    return durations


def _pct(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 4)


def _sqlite_plan(connection: sa.Connection, sql: str) -> tuple[list[str], list[tuple[str, str]]]:
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
    details = [str(row[-1]) for row in rows]
    scans = []
    for detail in details:
        match = re.match(r"(?:SCAN|SEARCH) (?:TABLE )?(\w+)(?: AS (\w+))?", detail)
        if not match:
            continue
        name = match.group(2) or match.group(1)
        if (detail.startswith("SCAN") and " USING " not in detail) or "AUTOMATIC" in detail:
            scans.append((name, detail))
    return details, scans


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def _pg_plan(connection: sa.Connection, sql: str) -> tuple[list[str], list[tuple[str, str]]]:
    raw = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}").scalar()
    document = raw if isinstance(raw, list) else __import__("json").loads(str(raw))
    details, scans = [], []
    for node in _walk(document[0]["Plan"]):
        kind = node.get("Node Type", "")
        relation = node.get("Relation Name")
        index = node.get("Index Name")
        text = kind + (f" on {relation}" if relation else "") + (f" using {index}" if index else "")
        if node.get("Filter"):
            text += f" (filter: {node['Filter']})"
        details.append(text)
        if kind == "Seq Scan" and relation:
            scans.append((str(node.get("Alias", relation)), text))
    return details, scans


def _plan(connection: sa.Connection, sql: str) -> tuple[list[str], list[tuple[str, str]]]:
    if connection.dialect.name == "sqlite":
        return _sqlite_plan(connection, sql)
    if connection.dialect.name == "postgresql":
        return _pg_plan(connection, sql)
    raise ConfigError(
        f"query plans: dialect {connection.dialect.name!r} not supported, "
        "expected sqlite or postgresql"
    )


def _index_name(table: str, columns: Sequence[str]) -> str:
    return re.sub(r"\W", "_", f"ix_{table}_{'_'.join(columns)}")[:60]


def _index_sql(engine: sa.Engine, table: str, columns: Sequence[str], name: str) -> str:
    quote = engine.dialect.identifier_preparer.quote
    cols = ", ".join(quote(c) for c in columns)
    return f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} ({cols})"


def _analyse(
    connection: sa.Connection, sql: str, columns_by_table: dict[str, set[str]], runs: int
) -> tuple[QueryTiming, list[tuple[str, list[str]]], list[float]]:
    durations = _time(connection, sql, runs)
    details, scans = _plan(connection, sql)
    used = predicate_columns(sql, columns_by_table)
    found: list[FullScan] = []
    wanted: list[tuple[str, list[str]]] = []
    for alias, detail in scans:
        table = used.aliases.get(alias.lower(), alias)
        columns = used.ordered_for(table)
        found.append(FullScan(table=table, detail=detail, columns=columns))
        if columns:
            wanted.append((table, columns))
    timing = QueryTiming(
        sql=sql,
        runs=runs,
        p50_ms=_pct(durations, 50),
        p95_ms=_pct(durations, 95),
        max_ms=round(max(durations), 4),
        plan=details,
        full_scans=found,
    )
    return timing, wanted, durations


@contextmanager
def _proving_ground(url: str, engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection to a place where an index may be created without touching the data."""
    file = sqlite_path(url)
    if file is not None:
        with (
            tempfile.TemporaryDirectory(prefix="charter-plan-") as folder,
            sqlite_scratch_copy(file, Path(folder)) as copy,
        ):
            scratch = sa.create_engine(f"sqlite:///{copy}")
            try:
                with scratch.connect() as connection:
                    yield connection
            finally:
                scratch.dispose()
        return
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


def _prove(
    url: str, engine: sa.Engine, table: str, columns: list[str], sql: str, runs: int
) -> IndexProposal:
    name = _index_name(table, columns)
    create = _index_sql(engine, table, columns, name)
    with _proving_ground(url, engine) as connection:
        before = _time(connection, sql, runs)
        before_plan, _ = _plan(connection, sql)
        connection.exec_driver_sql(create)
        connection.exec_driver_sql(f"ANALYZE {engine.dialect.identifier_preparer.quote(table)}")
        after_plan, _ = _plan(connection, sql)
        after = _time(connection, sql, runs)
    uses = any(name in line for line in after_plan)
    improved = _pct(after, 95) < _pct(before, 95)
    return IndexProposal(
        table=table,
        columns=columns,
        name=name,
        create_sql=create + ";",
        query=sql,
        before_plan=before_plan,
        after_plan=after_plan,
        plan_uses_index=uses,
        before_p95_ms=_pct(before, 95),
        after_p95_ms=_pct(after, 95),
        improved=improved,
        proven=uses and improved,
        proven_on="sqlite-copy" if sqlite_path(url) is not None else "rolled-back-transaction",
    )


def analyse_workload(
    url: str,
    queries: Sequence[str],
    *,
    runs: int = 20,
    target_p95_ms: float = TARGET_P95_MS,
    propose: bool = True,
) -> WorkloadReport:
    """Time the workload, read its plans and propose indexes proven on a copy."""
    if runs < 1:
        raise ConfigError(f"query runs {runs}: expected at least 1")
    engine = open_engine(url)
    try:
        inspector = sa.inspect(engine)
        columns_by_table = {
            t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()
        }
        timings: list[QueryTiming] = []
        wanted: dict[tuple[str, tuple[str, ...]], str] = {}
        all_durations: list[float] = []
        with engine.connect() as connection:
            for sql in queries:
                try:
                    timing, needs, durations = _analyse(connection, sql, columns_by_table, runs)
                except sa.exc.SQLAlchemyError as error:
                    raise ConfigError(
                        f"workload query {sql[:60]!r}: {error.__class__.__name__}: {error.args[0]}"
                    ) from None
                timings.append(timing)
                all_durations.extend(durations)
                for table, columns in needs:
                    wanted.setdefault((table, tuple(columns)), sql)
                connection.rollback()
        proposals = []
        notes: list[str] = []
        if propose:
            existing = _existing_indexes(engine)
            for (table, wanted_columns), sql in wanted.items():
                if wanted_columns in existing.get(table, set()):
                    continue
                try:
                    proposals.append(_prove(url, engine, table, list(wanted_columns), sql, runs))
                except sa.exc.SQLAlchemyError as error:
                    # e.g. the "table" is a view: report it, keep the other proposals.
                    notes.append(
                        f"index on {table}({', '.join(wanted_columns)}) could not be tried: "
                        f"{error.__class__.__name__}: {error.args[0] if error.args else error}"
                    )
        dialect = engine.dialect.name
    finally:
        engine.dispose()
    # Over every execution of every query: the seed's "< 100 ms for 95% of queries".
    overall95 = _pct(all_durations, 95) if all_durations else 0.0
    overall50 = _pct(all_durations, 50) if all_durations else 0.0
    migration = "\n".join(p.create_sql for p in proposals if p.proven)
    return WorkloadReport(
        url=safe_url(url),
        dialect=dialect,
        queries=timings,
        p50_ms=overall50,
        p95_ms=overall95,
        target_p95_ms=target_p95_ms,
        meets_target=overall95 < target_p95_ms,
        proposals=proposals,
        notes=notes,
        migration_sql=migration + ("\n" if migration else ""),
    )


def _existing_indexes(engine: sa.Engine) -> dict[str, set[tuple[str, ...]]]:
    inspector = sa.inspect(engine)
    out: dict[str, set[tuple[str, ...]]] = {}
    for table in inspector.get_table_names():
        out[table] = {
            tuple(str(c) for c in ix["column_names"] if c is not None)
            for ix in inspector.get_indexes(table)
        }
    return out


__all__ = [
    "TARGET_P95_MS",
    "FullScan",
    "IndexProposal",
    "QueryTiming",
    "WorkloadReport",
    "analyse_workload",
    "read_workload",
]
