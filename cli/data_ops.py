"""`charter data` operations commands: anomalies, drift, plan, migration-check, backup,
restore, scorecard.

Thin commands over `charter.agents.data`; numpy, scipy, sqlalchemy and the tools are
imported inside each command so `charter --help` stays fast. Every command takes `--json`
for the typed result. Exit codes: 0 ok, 1 the check found a problem (unsafe migration,
failed verification, a failing scorecard line, anomalies or drift found), 2 bad input.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from charter.protocols import ConfigError

from ._files import write_atomically
from ._progress import progress_bar

_JSON = typer.Option("--json", help="Print the typed result as JSON.")


def _emit(value: Any) -> None:
    data = value.model_dump(mode="json") if hasattr(value, "model_dump") else value
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _is_database(source: str) -> bool:
    return "://" in source or source.endswith((".db", ".sqlite", ".sqlite3"))


def anomalies(
    source: Annotated[str, typer.Argument(help="CSV file (timestamp,value) or database URL.")],
    query: Annotated[
        str | None, typer.Option(help="For a database: SQL returning (timestamp, value) rows.")
    ] = None,
    value_column: Annotated[str, typer.Option(help="CSV value column.")] = "value",
    time_column: Annotated[str, typer.Option(help="CSV timestamp column.")] = "timestamp",
    period: Annotated[
        str, typer.Option(help="Season length in points, 'auto' or 'none'.")
    ] = "auto",
    threshold: Annotated[
        float | None, typer.Option(help="Score (robust sigmas) above which a point is anomalous.")
    ] = None,
    max_share: Annotated[
        float | None, typer.Option(help="Cap on the share of points flagged (default 0.01).")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Flag anomalous stretches of a metric series (season from the data, one event each)."""
    from charter.agents.data.anomaly import (
        DEFAULT_MAX_SHARE,
        DEFAULT_THRESHOLD,
        detect_anomalies,
        read_series_csv,
        read_series_sql,
    )
    from charter.agents.data.anomaly_stream import validate_share, validate_threshold
    from charter.agents.data.ops_db import to_url

    # Checked before any data is read: a bad threshold is never replaced by the default.
    limit = validate_threshold(DEFAULT_THRESHOLD if threshold is None else threshold)
    share = validate_share(DEFAULT_MAX_SHARE if max_share is None else max_share)
    if period == "auto":
        season: int | str | None = "auto"
    elif period == "none":
        season = None
    else:
        try:
            season = int(period)
        except ValueError:
            raise ConfigError(
                f"--period {period!r}: expected a number of points, 'auto' or 'none'"
            ) from None
    if _is_database(source):
        if not query:
            raise ConfigError(
                f"anomalies {source}: a database needs --query 'SELECT ts, value ...'"
            )
        stamps, values = read_series_sql(to_url(source), query)
    else:
        stamps, values = read_series_csv(
            Path(source), value_column=value_column, time_column=time_column
        )
    report = detect_anomalies(
        values,
        timestamps=stamps,
        period=season,  # type: ignore[arg-type]  # checked above
        threshold=limit,
        max_share=share,
        name=source,
    )
    if as_json:
        _emit(report)
    else:
        print(
            f"{report.points_total} points, period {report.period or 'none'}, "
            f"threshold {report.threshold:g}: {len(report.events)} event(s), "
            f"{len(report.anomalies)} point(s) flagged ({100 * report.flagged_share:.2f}%), "
            f"{report.suppressed_points} suppressed by the {100 * report.max_share:g}% cap"
        )
        for event in report.events[:200]:
            start = event.start_timestamp or f"#{event.start}"
            end = event.end_timestamp or f"#{event.end}"
            print(
                f"  event {event.id}: {start} .. {end}  peak score {event.peak_score:.1f} "
                f"at #{event.peak_index}, {event.flagged_points} point(s) flagged"
            )
    raise typer.Exit(1 if report.events else 0)


def _sample(source: str, query: str | None) -> dict[str, list[object]]:
    from charter.agents.data.drift import read_sample
    from charter.agents.data.ops_db import to_url

    if _is_database(source):
        if not query:
            raise ConfigError(
                f"drift {source}: a database needs a query (--reference-query/--current-query)"
            )
        return read_sample(to_url(source), query)
    import csv

    try:
        with Path(source).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise ConfigError(f"drift sample {source}: cannot read ({error.strerror})") from None
    columns: dict[str, list[object]] = {}
    for row in rows:
        for key, text in row.items():
            value: object = None if text in ("", None) else text
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = float(value)
            columns.setdefault(key, []).append(value)
    return columns


def drift(
    reference: Annotated[str, typer.Argument(help="Reference sample: CSV file or database URL.")],
    current: Annotated[str, typer.Argument(help="Current sample: CSV file or database URL.")],
    reference_query: Annotated[
        str | None, typer.Option(help="SQL for a database reference.")
    ] = None,
    current_query: Annotated[
        str | None, typer.Option(help="SQL for a database current sample.")
    ] = None,
    column: Annotated[
        list[str] | None, typer.Option("--column", "-c", help="Only these columns.")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Per column PSI + KS (numbers) or PSI + chi-square (categories), with a verdict."""
    from charter.agents.data.drift import detect_drift

    report = detect_drift(
        _sample(reference, reference_query), _sample(current, current_query), columns=column
    )
    if as_json:
        _emit(report)
    else:
        for line in report.columns:
            print(
                f"{line.verdict.upper():9s} {line.column:24s} PSI {line.psi:7.4f}  "
                f"{line.test} {line.statistic:.4f} (p={line.p_value:.3g})"
            )
        print(
            f"thresholds: PSI {report.psi_moderate} moderate, {report.psi_drift} drift; "
            f"alpha {report.alpha}"
        )
    raise typer.Exit(1 if report.drifted else 0)


def plan(
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL or SQLite file.")],
    workload: Annotated[Path, typer.Option(help="SQL file of ';'-separated SELECT queries.")],
    runs: Annotated[int, typer.Option(help="Timed runs per query.")] = 20,
    propose: Annotated[bool, typer.Option(help="Propose indexes, proven on a copy.")] = True,
    migration_out: Annotated[
        Path | None, typer.Option(help="Write the proven indexes as a migration SQL file.")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Latency p50/p95 against the 100 ms target, full scans, proven index proposals."""
    from charter.agents.data.ops_db import to_url
    from charter.agents.data.query_perf import analyse_workload, read_workload

    report = analyse_workload(to_url(url), read_workload(workload), runs=runs, propose=propose)
    if migration_out is not None and report.migration_sql:
        write_atomically(migration_out, report.migration_sql)
    if as_json:
        _emit(report)
    else:
        verdict = "meets" if report.meets_target else "MISSES"
        print(
            f"p50 {report.p50_ms:.2f} ms, p95 {report.p95_ms:.2f} ms: {verdict} the "
            f"p95 < {report.target_p95_ms:g} ms target"
        )
        for timing in report.queries:
            print(f"- p95 {timing.p95_ms:8.2f} ms  {timing.sql[:90]}")
            for scan in timing.full_scans:
                print(
                    f"    full scan of {scan.table} ({scan.detail}); "
                    f"filtered on {scan.columns or '-'}"
                )
        for p in report.proposals:
            state = "PROVEN" if p.proven else "not proven"
            print(
                f"index {p.name} on {p.table}({', '.join(p.columns)}): {state} on {p.proven_on}; "
                f"uses index {p.plan_uses_index}, "
                f"p95 {p.before_p95_ms:.2f} -> {p.after_p95_ms:.2f} ms"
            )
        if report.migration_sql:
            print("proposed migration:\n" + report.migration_sql.rstrip())
    raise typer.Exit(0 if report.meets_target else 1)


def _classifications(catalogue: Path | None, classify: list[str] | None) -> dict[str, str]:
    levels: dict[str, str] = {}
    if catalogue is not None:
        from charter.agents.data.catalogue import load_catalogue

        loaded = load_catalogue(catalogue)
        for table, entry in loaded.tables.items():
            for column, info in entry.columns.items():
                levels[f"{table}.{column}"] = info.level
    for item in classify or []:
        key, sep, level = item.partition("=")
        if not sep or "." not in key:
            raise ConfigError(f"--classify {item!r}: expected table.column=level")
        levels[key.strip()] = level.strip()
    return levels


def migration_check(
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL or SQLite file.")],
    migration: Annotated[Path, typer.Argument(help="The migration SQL file.")],
    catalogue: Annotated[
        Path | None, typer.Option(help="Governance catalogue (column classifications).")
    ] = None,
    classify: Annotated[
        list[str] | None, typer.Option(help="table.column=level (repeatable).")
    ] = None,
    backup: Annotated[Path | None, typer.Option(help="A verified backup taken before.")] = None,
    dry_run: Annotated[bool, typer.Option(help="Run it on a copy first.")] = True,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Flag destructive or sensitive changes and run the migration on a copy."""
    from charter.agents.data.migration import check_migration
    from charter.agents.data.ops_db import to_url

    try:
        sql = migration.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"migration {migration}: cannot read ({error.strerror})") from None
    report = check_migration(
        to_url(url),
        sql,
        classifications=_classifications(catalogue, classify),
        backup=backup,
        dry_run=dry_run,
        name=str(migration),
    )
    if as_json:
        _emit(report)
    else:
        for f in report.findings:
            review = f" -> needs {f.needs_review}" if f.needs_review else ""
            print(f"{f.severity.upper():5s} {migration}:{f.line} [{f.code}] {f.message}{review}")
        run = report.dry_run
        if run.ran:
            state = "ok" if run.ok else f"FAILED at statement {run.failed_statement}: {run.error}"
            print(f"dry run on {run.on}: {state}")
            for table in sorted(set(run.rows_before) | set(run.rows_after)):
                print(
                    f"  {table}: {run.rows_before.get(table, '-')} -> "
                    f"{run.rows_after.get(table, '-')} rows"
                )
            for name, result in run.checks.items():
                print(f"  {name}: {result}")
        print("SAFE to apply" if report.safe else "NOT safe to apply as is")
    raise typer.Exit(0 if report.safe else 1)


def backup(
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL or SQLite file to back up.")],
    to: Annotated[str, typer.Option(help="New SQLite file (or empty database URL).")],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Back up a database (SQLite online backup, or a logical copy) with a manifest."""
    from charter.agents.data.backup import backup_database

    with progress_bar("backup", as_json=as_json) as report:
        result = backup_database(url, to, progress=report)
    if as_json:
        _emit(result)
    else:
        print(
            f"backup {result.backup} ({result.method}) in {result.seconds:.3f} s; "
            f"manifest {result.manifest}"
        )
        for table in result.tables:
            print(f"  {table.table}: {table.rows} rows, checksum {table.checksum[:12]}")


def restore(
    backup_path: Annotated[str, typer.Argument(metavar="BACKUP", help="Backup file or URL.")],
    into: Annotated[
        str | None, typer.Option(help="Empty target (default: a scratch SQLite file).")
    ] = None,
    verify: Annotated[bool, typer.Option(help="Check row counts and checksums.")] = True,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Restore a backup and verify it; the recovery time is judged against < 1 hour."""
    from charter.agents.data.backup import restore_database

    result = restore_database(backup_path, into, verify=verify)
    if as_json:
        _emit(result)
    else:
        for check in result.checks:
            mark = "ok" if check.ok else "MISMATCH"
            print(
                f"  {check.table}: {check.restored_rows}/{check.expected_rows} rows, "
                f"checksum {mark}"
            )
        state = (
            "VERIFIED"
            if result.verified
            else ("not verified" if not verify else "FAILED verification")
        )
        print(
            f"restored into {result.restored_to} ({result.method}): {state}; recovery "
            f"{result.recovery_seconds:.3f} s (objective < {result.objective_minutes:g} min)"
        )
    raise typer.Exit(0 if result.verified or not verify else 1)


def run_events(run: Path, *, what: str = "scorecard") -> list[Any]:
    """The events of a run directory (run.db or its recorded store) or a .jsonl file."""
    from charter.protocols import parse_event

    if run.is_file() and run.suffix in (".jsonl", ".json"):
        lines = run.read_text(encoding="utf-8").splitlines()
        events = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    events.append(parse_event(line))
                except ValueError as error:
                    raise ConfigError(
                        f"events file {run} line {number}: not a run event ({error})"
                    ) from None
        return events
    from charter.memory.backend import recorded_store

    elsewhere = recorded_store(run) if run.is_dir() else None
    database = run / "run.db" if run.is_dir() else run
    if elsewhere is None and not database.is_file():
        raise ConfigError(
            f"{what} {run}: no run database, expected a run directory with run.db "
            "or a .jsonl file of events"
        )
    from .memory import open_run

    # A reader: an empty, damaged or foreign database is one clear error, never rebuilt.
    store = open_run(str(run) if run.is_dir() else str(database))
    try:
        return [event for _, event in store.events()]
    finally:
        store.close()


def scorecard(
    run: Annotated[Path, typer.Argument(help="Run directory (run.db) or a .jsonl events file.")],
    charter_file: Annotated[
        Path | None, typer.Option("--charter", help="Data charter YAML (default: shipped).")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """The Data charter's success metrics computed from a run, each with pass/fail."""
    from charter.agents.data.scorecard import compute_scorecard, render_scorecard
    from charter.agents.team import load_charter, load_team

    if charter_file is not None:
        metrics = load_charter(charter_file).success_metrics
    else:
        data = load_team().roles.get("data")
        metrics = data.success_metrics if data is not None else []
    card = compute_scorecard(run_events(run), metrics)
    if as_json:
        _emit(card)
    else:
        print(render_scorecard(card))
    raise typer.Exit(1 if card.failed else 0)


def register(app: typer.Typer) -> None:
    """Attach this module's commands to `charter data`."""
    app.command("anomalies")(anomalies)
    app.command("drift")(drift)
    app.command("plan")(plan)
    app.command("migration-check")(migration_check)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("scorecard")(scorecard)


__all__ = ["register"]
