"""Lineage recorded from what the agents of a run actually did.

Every `ToolUsed` event of a run is one job run (job ``<agent>.<tool>``), and every
`FileWritten` one a job run that wrote a workspace file. What a tool read and wrote comes
from its arguments and result: a database named by ``database`` lives in the run's
``datasets/`` folder; the tables a statement reads or writes are the ones SQLite's
authorizer reports while the statement is compiled and run against an empty copy of the
database's schema (no data is touched, and it sees through joins, subqueries, views and
triggers where a pattern would not). The checks of a quality suite become the read table's
data-quality assertions; a tool that ended ``ok=False`` is a FAIL with its summary as the
error message.

Run ids: each job run gets a UUIDv7 derived from its event's time and id within the
Charter run, so START and COMPLETE/FAIL share it and exporting the same run twice gives the
same ids. The Charter run itself is each job run's parent.

Not recorded: a schema as it was during the run (schemas are read from the data set files
as they are now), and anything a tool did that its arguments and result do not show.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from charter.protocols import events as ev

from .lineage_events import (
    RUN_ID_NAMESPACE,
    CheckOutcome,
    ColumnInfo,
    DatasetUse,
    JobRun,
    ParentJob,
)
from .lineage_naming import file_dataset, file_uri, table_dataset

_READS = {sqlite3.SQLITE_READ}
_WRITES = {
    sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_UPDATE,
    sqlite3.SQLITE_DELETE,
    sqlite3.SQLITE_CREATE_TABLE,
    sqlite3.SQLITE_DROP_TABLE,
}
# Actions whose table is the second argument (the first is an index or database name).
_WRITES_SECOND = {
    sqlite3.SQLITE_ALTER_TABLE,
    sqlite3.SQLITE_CREATE_INDEX,
    sqlite3.SQLITE_DROP_INDEX,
}


def _schema_copy(database: Path) -> sqlite3.Connection | None:
    """An in-memory database with `database`'s schema and no rows (None if unreadable)."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as source:
            rows = source.execute(
                "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL "
                "AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
    except sqlite3.Error:
        return None
    order = {"table": 0, "view": 1, "index": 2, "trigger": 3}
    copy = sqlite3.connect(":memory:")
    for _, sql in sorted(rows, key=lambda row: order.get(str(row[0]), 4)):
        try:
            copy.execute(sql)
        except sqlite3.Error:
            continue  # e.g. a virtual table whose module is missing: its lineage is lost
    return copy


def tables_touched(database: Path, sql: str) -> tuple[list[str], list[str]]:
    """(tables read, tables written) by the statements of `sql`, in first-seen order."""
    from .sql_split import split_sql

    copy = _schema_copy(database)
    if copy is None:
        return [], []
    reads: dict[str, None] = {}
    writes: dict[str, None] = {}

    def authorize(action: int, first: str | None, second: str | None, *_: object) -> int:
        table = second if action in _WRITES_SECOND else first
        if table and not table.startswith("sqlite_"):
            if action in _READS:
                reads.setdefault(table)
            elif action in _WRITES or action in _WRITES_SECOND:
                writes.setdefault(table)
        return sqlite3.SQLITE_OK

    copy.set_authorizer(authorize)
    try:
        for statement in split_sql(sql):
            try:
                copy.execute(statement.sql)
            except sqlite3.Error:
                continue  # a statement the empty copy cannot run still reported its tables
    finally:
        copy.close()
    return list(reads), list(writes)


def table_columns(database: Path, table: str) -> list[ColumnInfo] | None:
    """The columns of `table` in a SQLite file as it is now (None if unknown)."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT name, type FROM pragma_table_info(?)", (table,)
            ).fetchall()
    except sqlite3.Error:
        return None
    return [ColumnInfo(name=str(name), type=str(kind) or None) for name, kind in rows] or None


def check_outcome(result: Mapping[str, Any]) -> CheckOutcome:
    kwargs = dict(result.get("kwargs") or {})
    column = kwargs.pop("column", None)
    observed = result.get("observed_value")
    unexpected = result.get("unexpected_count")
    if observed is not None:
        actual: str | None = json.dumps(observed, sort_keys=True, default=str)
    elif unexpected is not None:
        actual = f"{unexpected} of {result.get('element_count')} rows unexpected"
    else:
        actual = None
    return CheckOutcome(
        assertion=str(result.get("expectation", "check")),
        success=bool(result.get("success")),
        column=str(column) if column is not None else None,
        expected=json.dumps(kwargs, sort_keys=True, default=str) if kwargs else None,
        actual=actual,
        description=result.get("error") or None,
    )


class _RunReader:
    def __init__(self, run_dir: Path, namespace: str) -> None:
        self.datasets = run_dir / "datasets"
        self.workspace = run_dir / "workspace"
        self.namespace = namespace
        self.parent: ParentJob | None = None
        self._columns: dict[tuple[Path, str], list[ColumnInfo] | None] = {}

    def _database(self, arguments: Mapping[str, Any], key: str = "database") -> Path | None:
        name = arguments.get(key)
        if not isinstance(name, str) or not name:
            return None
        path = (self.datasets / name).resolve()
        return path if self.datasets.resolve() in path.parents else None

    def table(self, database: Path, table: str) -> DatasetUse:
        key = (database, table)
        if key not in self._columns:
            self._columns[key] = table_columns(database, table)
        ident = table_dataset(f"sqlite:///{database}", table)
        return DatasetUse(namespace=ident.namespace, name=ident.name, fields=self._columns[key])

    def file(self, path: Path) -> DatasetUse:
        ident = file_dataset(path)
        return DatasetUse(namespace=ident.namespace, name=ident.name, source_uri=file_uri(path))

    def sql_uses(
        self, database: Path | None, sql: Iterable[str]
    ) -> tuple[list[DatasetUse], list[DatasetUse]]:
        if database is None:
            return [], []
        reads: dict[str, None] = {}
        writes: dict[str, None] = {}
        for text in sql:
            r, w = tables_touched(database, text)
            reads.update(dict.fromkeys(r))
            writes.update(dict.fromkeys(w))
        return [self.table(database, t) for t in reads], [self.table(database, t) for t in writes]

    def tool(self, event: ev.ToolUsed) -> JobRun:
        args, result = event.arguments, event.result
        database = self._database(args)
        inputs: list[DatasetUse] = []
        outputs: list[DatasetUse] = []
        sql: str | None = None
        match event.tool:
            case "run_quality_suite":
                by_table: dict[str, list[CheckOutcome]] = {}
                for item in result.get("results") or []:
                    by_table.setdefault(str(item.get("table")), []).append(check_outcome(item))
                if not by_table and isinstance(args.get("suite"), Mapping):
                    by_table[str(args["suite"].get("table"))] = []
                if database is not None:
                    for table, checks in by_table.items():
                        inputs.append(
                            self.table(database, table).model_copy(update={"checks": checks})
                        )
            case "sql_query":
                sql = str(args.get("sql") or "") or None
                inputs, _ = self.sql_uses(database, [sql or ""])
            case "migration_check":
                # Dry-run on a copy: it reads the tables it would change, writes none of ours.
                sql = str(args.get("sql") or "") or None
                reads, writes = self.sql_uses(database, [sql or ""])
                inputs = _unique([*reads, *writes])
            case "query_performance":
                queries = args.get("queries")
                texts = [queries] if isinstance(queries, str) else [str(q) for q in queries or []]
                sql = ";\n".join(texts) or None
                inputs, _ = self.sql_uses(database, texts)
            case "anomalies" | "drift":
                texts = [
                    str(args[k])
                    for k in ("query", "reference_query", "current_query")
                    if args.get(k)
                ]
                sql = ";\n".join(texts) or None
                inputs, _ = self.sql_uses(database, texts)
            case "backup" | "restore":
                source = self._database(args, "database" if event.tool == "backup" else "backup")
                target_key = "backup" if event.tool == "backup" else "into"
                target_name = result.get(target_key) or args.get(
                    "to" if event.tool == "backup" else "into"
                )
                target = self._database({"t": target_name}, "t")
                inputs = [self.file(source)] if source else []
                outputs = [self.file(target)] if target and event.ok else []
            case "read_file":
                name = args.get("path")
                if isinstance(name, str) and name:
                    inputs = [self.file(self.workspace / name)]
            case _:
                tables = _table_names(result) or [str(t) for t in args.get("tables") or []]
                if database is not None and tables:
                    inputs = [self.table(database, t) for t in tables]
                elif database is not None:
                    inputs = [self.file(database)]
        return JobRun(
            namespace=self.namespace,
            job=f"{event.agent or 'run'}.{event.tool}",
            run_id=_job_run_id(event),
            started_at=event.at,
            ended_at=event.at,
            ending="COMPLETE" if event.ok else "FAIL",
            error=None if event.ok else (event.summary or f"{event.tool} failed"),
            inputs=inputs,
            outputs=outputs,
            sql=sql,
            sql_dialect="sqlite" if sql else None,
            job_type="TOOL",
            parent=self.parent,
        )

    def written(self, event: ev.FileWritten) -> JobRun:
        return JobRun(
            namespace=self.namespace,
            job=f"{event.agent or 'run'}.write_file",
            run_id=_job_run_id(event),
            started_at=event.at,
            ended_at=event.at,
            outputs=[self.file(self.workspace / event.path)],
            job_type="WRITE",
            parent=self.parent,
        )


def _unique(uses: Sequence[DatasetUse]) -> list[DatasetUse]:
    seen: dict[tuple[str, str], DatasetUse] = {}
    for use in uses:
        seen.setdefault((use.namespace, use.name), use)
    return list(seen.values())


def _table_names(result: Mapping[str, Any]) -> list[str]:
    """Tables named in a profile (`tables[].table`) or classification (`table.column`) result."""
    names: dict[str, None] = {}
    for entry in result.get("tables") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("table"), str):
            names.setdefault(entry["table"])
    for column in result.get("classifications") or {}:
        if isinstance(column, str) and "." in column:
            names.setdefault(column.rsplit(".", 1)[0])
    return list(names)


def _job_run_id(event: ev.ToolUsed | ev.FileWritten) -> str:
    from openlineage.client.uuid import generate_static_uuid

    return str(generate_static_uuid(event.at, event.id.encode("utf-8")))


def run_job_runs(
    events: Iterable[ev.Event], run_dir: Path, *, namespace: str = "charter"
) -> list[JobRun]:
    """The job runs of one Charter run, in the order they happened."""
    reader = _RunReader(run_dir, namespace)
    runs: list[JobRun] = []
    for event in events:
        match event:
            case ev.RunStarted():
                reader.parent = ParentJob(
                    namespace=namespace,
                    name=event.scenario or "run",
                    run_id=str(uuid.uuid5(RUN_ID_NAMESPACE, event.run_id)),
                )
            case ev.ToolUsed():
                runs.append(reader.tool(event))
            case ev.FileWritten():
                runs.append(reader.written(event))
            case _:
                pass
    return runs


__all__ = ["check_outcome", "run_job_runs", "table_columns", "tables_touched"]
