"""The operations data tools as `UseTool` tools for the Data agent in a run.

Each tool takes JSON arguments, works on a database file under the run's data-set folder
(`database`: a file name there), and returns a `ToolResult` whose `result` carries the
scorecard's figures under the success-metric keys (`query_p95_ms`,
`recovery_time_minutes`, ...), so the scorecard and the TUI pick them up from the
`ToolUsed` event. A bad argument is a `ToolError` (an `ok=False` result), never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from charter.agents.tools import ToolContext, ToolError, ToolRegistry
from charter.protocols import ConfigError, ToolResult

_Tool = Callable[[Mapping[str, Any], ToolContext], ToolResult]


def _inside(folder: Path, name: object, what: str, *, must_exist: bool = True) -> Path:
    if not isinstance(name, str) or not name:
        raise ToolError(f"argument {what!r} (a file name under the run's data sets) is required")
    path = (folder / name).resolve()
    if folder.resolve() not in path.parents:
        raise ToolError(f"{what} {name!r}: must stay inside the run's data sets")
    if must_exist and not path.is_file():
        raise ToolError(f"{what} {name!r}: not found under the run's data sets")
    return path


def _url(arguments: Mapping[str, Any], context: ToolContext) -> str:
    return f"sqlite:///{_inside(context.datasets, arguments.get('database'), 'database')}"


def _text(arguments: Mapping[str, Any], key: str) -> str:
    value = arguments.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ToolError(f"argument {key!r} (text) is required")
    return value


def _guarded(name: str, function: _Tool) -> _Tool:
    def run(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
        try:
            return function(arguments, context)
        except ConfigError as error:
            raise ToolError(f"{name}: {error}") from None

    return run


def query_performance(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    from .query_perf import analyse_workload

    queries = arguments.get("queries")
    if isinstance(queries, str):
        queries = [queries]
    if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries) or not queries:
        raise ToolError("argument 'queries' (a list of SELECT statements) is required")
    report = analyse_workload(
        _url(arguments, context), queries, runs=int(arguments.get("runs", 10))
    )
    proven = [p for p in report.proposals if p.proven]
    return ToolResult(
        tool="query_performance",
        ok=True,
        summary=f"p95 {report.p95_ms:.1f} ms ({'meets' if report.meets_target else 'misses'} "
        f"{report.target_p95_ms:g} ms); {len(proven)} index(es) proven on a copy",
        result={
            **report.figures(),
            "p50_ms": report.p50_ms,
            "meets_target": report.meets_target,
            "full_scans": [s.model_dump() for q in report.queries for s in q.full_scans],
            "proposals": [
                {"name": p.name, "table": p.table, "columns": p.columns, "proven": p.proven}
                for p in report.proposals
            ],
            "migration_sql": report.migration_sql,
        },
    )


def migration_check(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    from .migration import check_migration

    levels = arguments.get("classifications") or {}
    if not isinstance(levels, dict):
        raise ToolError("argument 'classifications' must map 'table.column' to a level")
    backup = arguments.get("backup")
    report = check_migration(
        _url(arguments, context),
        _text(arguments, "sql"),
        classifications={str(k): str(v) for k, v in levels.items()},
        backup=_inside(context.datasets, backup, "backup") if backup else None,
    )
    blocks = [f for f in report.findings if f.severity == "block"]
    return ToolResult(
        tool="migration_check",
        # ok = the migration ran cleanly on the copy ("tested in staging").
        ok=report.dry_run.ok,
        summary=f"{'safe' if report.safe else 'NOT safe'}: {len(blocks)} blocking finding(s)"
        + ("; needs Security review" if report.needs_security_review else ""),
        result={
            **report.figures(),
            "safe": report.safe,
            "needs_security_review": report.needs_security_review,
            "findings": [f.model_dump() for f in report.findings],
            "rows_before": report.dry_run.rows_before,
            "rows_after": report.dry_run.rows_after,
        },
    )


def backup(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    from .backup import backup_database

    source = _inside(context.datasets, arguments.get("database"), "database")
    target_name = arguments.get("to") or f"{source.stem}.backup.sqlite"
    target = _inside(context.datasets, target_name, "to", must_exist=False)
    result = backup_database(source, target)
    return ToolResult(
        tool="backup",
        ok=True,
        summary=f"backed up {len(result.tables)} table(s) to {target.name} ({result.method})",
        result={"backup": target.name, "tables": {t.table: t.rows for t in result.tables}},
    )


def restore(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    from .backup import restore_database

    source = _inside(context.datasets, arguments.get("backup"), "backup")
    target = _inside(
        context.datasets,
        arguments.get("into") or f"{source.stem}.restored.sqlite",
        "into",
        must_exist=False,
    )
    result = restore_database(source, target)
    return ToolResult(
        tool="restore",
        ok=result.verified,
        summary=f"restore {'verified' if result.verified else 'FAILED verification'} in "
        f"{result.recovery_seconds:.2f} s",
        result={
            "recovery_time_minutes": result.recovery_time_minutes,
            "verified": result.verified,
            "mismatches": result.mismatches,
            "within_objective": result.within_objective,
        },
    )


def anomalies(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    from .anomaly import detect_anomalies, read_series_sql

    values = arguments.get("values")
    stamps: list[str] | None = None
    if values is None:
        stamps, values = read_series_sql(_url(arguments, context), _text(arguments, "query"))
    if not isinstance(values, list):
        raise ToolError("argument 'values' (numbers) or 'database' + 'query' is required")
    report = detect_anomalies([float(v) for v in values], timestamps=stamps)
    return ToolResult(
        tool="anomalies",
        ok=True,
        summary=(
            f"{len(report.events)} anomalous stretch(es), {len(report.anomalies)} anomalous "
            f"point(s) in {report.points_total}"
        ),
        result={
            "anomalies": len(report.anomalies),
            "events": [e.model_dump() for e in report.events[:20]],
            "period": report.period,
            "points": [a.model_dump() for a in report.anomalies[:50]],
        },
    )


def drift(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    from .drift import detect_drift, read_sample

    url = _url(arguments, context)
    report = detect_drift(
        read_sample(url, _text(arguments, "reference_query")),
        read_sample(url, _text(arguments, "current_query")),
    )
    return ToolResult(
        tool="drift",
        ok=True,
        summary=f"drift in {report.drifted or 'no column'}",
        result={"drifted": report.drifted, "columns": [c.model_dump() for c in report.columns]},
    )


def lineage_impact(arguments: Mapping[str, Any], context: ToolContext) -> ToolResult:
    from .lineage import build_graph, impact, load_pipelines, parse_pipelines

    spec = arguments.get("pipelines")
    if isinstance(spec, dict):
        pipelines = parse_pipelines(spec)
    else:
        pipelines = load_pipelines(_inside(context.workspace, spec, "pipelines"))
    hit = impact(build_graph(pipelines), _text(arguments, "name"))
    return ToolResult(
        tool="lineage_impact",
        ok=True,
        summary=f"{len(hit.jobs)} job(s) and {len(hit.datasets)} dataset(s) downstream",
        result=hit.model_dump(),
    )


_TOOLS: dict[str, tuple[_Tool, str]] = {
    "query_performance": (query_performance, "p50/p95 of SELECTs, full scans, proven indexes"),
    "migration_check": (migration_check, "migration findings and a dry run on a copy"),
    "backup": (backup, "back up a run database with a checksum manifest"),
    "restore": (restore, "restore a backup into a new file and verify it"),
    "anomalies": (anomalies, "seasonal robust anomaly detection on a metric series"),
    "drift": (drift, "PSI + KS / chi-square drift between two query samples"),
    "lineage_impact": (lineage_impact, "what is downstream of a dataset or job"),
}


def register_ops_tools(registry: ToolRegistry) -> None:
    """Add the operations tools to a run's tool registry."""
    for name, (function, description) in _TOOLS.items():
        registry.register(name, _guarded(name, function), description)


__all__ = ["register_ops_tools"]
