"""Monitors: scheduled checks that measure the run's databases and emit signals.

A schedule with `monitor: pipeline_health` does not simply wake the Data agent: the
monitor looks at the data first, and only what it finds (a failed run, a column filling
with nulls, a query that scans a large table) becomes a signal that activates an agent.
Each monitor is deterministic (plain SQL over SQLite files; no wall-clock timing), so a
scenario gives the same signals on every run.

Built-in monitors (options in brackets):

* `pipeline_health` — failed rows in a `pipeline_runs` table since the last check ->
  `pipeline_failed` (the row's `details` JSON joins the signal payload).
* `data_quality` — null share per column above a threshold [`null_share`, default 0.05],
  empty tables, stale tables whose newest timestamp [`freshness_column`] is older than
  [`max_age_hours`] -> `data_quality_alert`.
* `query_latency` — each probe query [`queries`] is planned with `EXPLAIN QUERY PLAN`; a
  full scan of a table with more rows than [`max_scan_rows`, default 10000] ->
  `performance_degradation` with an estimated latency.
* `backup_verification` — every database must have a readable copy under `backups/`
  that passes `PRAGMA integrity_check` -> `data_quality_alert` (check `backup`).
* `compliance_scan` — columns whose names look personal (email, phone, ssn, ...) with no
  classification in the run's catalogue -> `governance_violation`.
* `infra_health` — every database opens and passes `PRAGMA quick_check` -> `data_loss`.
* `metric_anomaly` — a metric series [`query` returning (timestamp, value) rows] replayed
  through the streaming anomaly detector [`threshold`, `max_share`, `period`] ->
  `anomaly_detected`, once per anomalous stretch opened since the last check
  (`charter.graph.monitor_metrics`).
* `standup` — the PM's stand-up: the fire is recorded, nothing is measured or signalled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from charter.protocols import ConfigError, Signal

from .ids import stable_id


@dataclass(frozen=True)
class MonitorContext:
    """What a monitor may look at: the run's databases, the time, its options."""

    datasets: Path
    now: datetime
    schedule: str
    since: datetime | None = None  # the previous fire of this schedule, if any
    options: Mapping[str, Any] = field(default_factory=dict)
    classifications: Mapping[str, str] = field(default_factory=dict)  # "table.column" -> level

    def databases(self) -> list[Path]:
        wanted = self.options.get("database")
        if wanted:
            path = self.datasets / str(wanted)
            return [path] if path.is_file() else []
        return sorted(p for p in self.datasets.glob("*.db") if p.is_file())

    def signal(self, kind: str, index: int, **payload: Any) -> Signal:
        return Signal(
            id=stable_id("sig", self.schedule, self.now.isoformat(), kind, index),
            kind=kind,
            source=f"monitor:{self.schedule}",
            at=self.now,
            payload=payload,
        )


class Monitor(Protocol):
    @property
    def name(self) -> str: ...

    def run(self, context: MonitorContext) -> list[Signal]:
        """Measure and return the signals the measurement warrants (often none)."""
        ...


@dataclass(frozen=True)
class FunctionMonitor:
    name: str
    check: Callable[[MonitorContext], list[Signal]]
    description: str = ""

    def run(self, context: MonitorContext) -> list[Signal]:
        return self.check(context)


def _connect(path: Path) -> sa.Engine:
    # Read-only: a monitor measures, it never changes the data it watches.
    return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def _tables(engine: sa.Engine) -> Iterator[tuple[str, list[str]]]:
    inspector = sa.inspect(engine)
    for table in sorted(inspector.get_table_names()):
        yield table, [column["name"] for column in inspector.get_columns(table)]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pipeline_health(context: MonitorContext) -> list[Signal]:
    signals: list[Signal] = []
    for path in context.databases():
        engine = _connect(path)
        try:
            if "pipeline_runs" not in sa.inspect(engine).get_table_names():
                continue
            query = (
                "SELECT pipeline, started_at, error, details FROM pipeline_runs"
                " WHERE status = 'failed'"
            )
            params: dict[str, str] = {"now": context.now.isoformat()}
            query += " AND started_at <= :now"
            if context.since is not None:
                query += " AND started_at > :since"
                params["since"] = context.since.isoformat()
            with engine.connect() as conn:
                rows = conn.execute(sa.text(query + " ORDER BY started_at, pipeline"), params)
                for pipeline, started_at, error, details in rows:
                    extra = json.loads(details) if details else {}
                    signals.append(
                        context.signal(
                            "pipeline_failed",
                            len(signals),
                            **{
                                "pipeline": pipeline,
                                "error": error or "failed",
                                "started_at": started_at,
                                "database": path.name,
                                **extra,
                            },
                        )
                    )
        finally:
            engine.dispose()
    return signals


def data_quality(context: MonitorContext) -> list[Signal]:
    threshold = float(context.options.get("null_share", 0.05))
    fresh_column = context.options.get("freshness_column")
    max_age = timedelta(hours=float(context.options.get("max_age_hours", 26)))
    only = set(context.options.get("tables", []))
    signals: list[Signal] = []
    for path in context.databases():
        engine = _connect(path)
        try:
            with engine.connect() as conn:
                for table, columns in _tables(engine):
                    if (only and table not in only) or table == "pipeline_runs":
                        continue
                    total = conn.execute(sa.text(f"SELECT COUNT(*) FROM {_quote(table)}")).scalar()
                    base = {"database": path.name, "table": table}
                    if not total:
                        signals.append(
                            context.signal(
                                "data_quality_alert", len(signals), check="empty", **base
                            )
                        )
                        continue
                    for column in columns:
                        nulls = conn.execute(
                            sa.text(
                                f"SELECT COUNT(*) FROM {_quote(table)}"
                                f" WHERE {_quote(column)} IS NULL"
                            )
                        ).scalar()
                        share = round(int(nulls or 0) / int(total), 4)
                        if share > threshold:
                            signals.append(
                                context.signal(
                                    "data_quality_alert",
                                    len(signals),
                                    check="completeness",
                                    column=column,
                                    null_share=share,
                                    threshold=threshold,
                                    **base,
                                )
                            )
                    if fresh_column and fresh_column in columns:
                        newest = conn.execute(
                            sa.text(f"SELECT MAX({_quote(fresh_column)}) FROM {_quote(table)}")
                        ).scalar()
                        if (
                            newest
                            and datetime.fromisoformat(str(newest)).replace(
                                tzinfo=context.now.tzinfo
                            )
                            < context.now - max_age
                        ):
                            signals.append(
                                context.signal(
                                    "data_quality_alert",
                                    len(signals),
                                    check="freshness",
                                    column=fresh_column,
                                    newest=str(newest),
                                    **base,
                                )
                            )
        finally:
            engine.dispose()
    return signals


_SCAN = re.compile(r"\bSCAN (?:TABLE )?(\w+)")


def query_latency(context: MonitorContext) -> list[Signal]:
    # The plan, not a stopwatch: a wall-clock timing would make runs irreproducible.
    limit = int(context.options.get("max_scan_rows", 10_000))
    per_row_us = float(context.options.get("microseconds_per_row", 2.0))
    signals: list[Signal] = []
    for path in context.databases():
        engine = _connect(path)
        try:
            with engine.connect() as conn:
                for query in context.options.get("queries", []):
                    plan = [
                        str(row[-1]) for row in conn.execute(sa.text(f"EXPLAIN QUERY PLAN {query}"))
                    ]
                    for line in plan:
                        match = _SCAN.search(line)
                        if match is None or "USING" in line:
                            continue
                        table = match.group(1)
                        rows = int(
                            conn.execute(sa.text(f"SELECT COUNT(*) FROM {_quote(table)}")).scalar()
                            or 0
                        )
                        if rows > limit:
                            signals.append(
                                context.signal(
                                    "performance_degradation",
                                    len(signals),
                                    query=query,
                                    table=table,
                                    plan=plan,
                                    rows_scanned=rows,
                                    estimated_ms=round(rows * per_row_us / 1000, 1),
                                    database=path.name,
                                )
                            )
        finally:
            engine.dispose()
    return signals


def backup_verification(context: MonitorContext) -> list[Signal]:
    signals: list[Signal] = []
    for path in context.databases():
        copy = context.datasets / "backups" / path.name
        problem = None
        if not copy.is_file():
            problem = "no backup"
        else:
            engine = _connect(copy)
            try:
                with engine.connect() as conn:
                    result = conn.execute(sa.text("PRAGMA integrity_check")).scalar()
                if result != "ok":
                    problem = f"integrity check: {result}"
            except sa.exc.DBAPIError as error:
                problem = f"unreadable backup: {error.orig}"
            finally:
                engine.dispose()
        if problem:
            signals.append(
                context.signal(
                    "data_quality_alert",
                    len(signals),
                    check="backup",
                    database=path.name,
                    problem=problem,
                )
            )
    return signals


_PERSONAL = re.compile(r"(e_?mail|phone|ssn|social|birth|address|passport|iban|card)", re.I)


def compliance_scan(context: MonitorContext) -> list[Signal]:
    signals: list[Signal] = []
    for path in context.databases():
        engine = _connect(path)
        try:
            for table, columns in _tables(engine):
                for column in columns:
                    key = f"{table}.{column}"
                    if _PERSONAL.search(column) and key not in context.classifications:
                        signals.append(
                            context.signal(
                                "governance_violation",
                                len(signals),
                                check="unclassified_personal_data",
                                database=path.name,
                                table=table,
                                column=column,
                            )
                        )
        finally:
            engine.dispose()
    return signals


def infra_health(context: MonitorContext) -> list[Signal]:
    signals: list[Signal] = []
    for path in context.databases():
        engine = _connect(path)
        try:
            with engine.connect() as conn:
                result = conn.execute(sa.text("PRAGMA quick_check")).scalar()
            problem = None if result == "ok" else f"quick check: {result}"
        except sa.exc.DBAPIError as error:
            problem = f"unreadable: {error.orig}"
        finally:
            engine.dispose()
        if problem:
            signals.append(
                context.signal("data_loss", len(signals), database=path.name, problem=problem)
            )
    return signals


def standup(context: MonitorContext) -> list[Signal]:
    # The PM's stand-up is a coordination ritual, not a measurement: the fire is recorded
    # (a `schedule_fired` event) and nothing is signalled.
    return []


MONITORS: dict[str, Monitor] = {
    monitor.name: monitor
    for monitor in (
        FunctionMonitor("pipeline_health", pipeline_health, "failed pipeline runs"),
        FunctionMonitor("data_quality", data_quality, "null share, empty and stale tables"),
        FunctionMonitor("query_latency", query_latency, "full scans of large tables"),
        FunctionMonitor("backup_verification", backup_verification, "verified backups"),
        FunctionMonitor("compliance_scan", compliance_scan, "unclassified personal data"),
        FunctionMonitor("infra_health", infra_health, "databases open and pass quick_check"),
        FunctionMonitor("standup", standup, "the PM's stand-up: recorded, no measurement"),
    )
}


def _register_late() -> None:
    # Imported here: that module builds on this one (FunctionMonitor, _connect).
    from .monitor_metrics import MONITOR

    MONITORS[MONITOR.name] = MONITOR


_register_late()


def get_monitor(name: str) -> Monitor:
    try:
        return MONITORS[name]
    except KeyError:
        raise ConfigError(
            f"monitor {name!r}: unknown; expected one of {', '.join(sorted(MONITORS))}"
        ) from None


__all__ = [
    "MONITORS",
    "FunctionMonitor",
    "Monitor",
    "MonitorContext",
    "backup_verification",
    "compliance_scan",
    "data_quality",
    "get_monitor",
    "infra_health",
    "pipeline_health",
    "query_latency",
    "standup",
]
