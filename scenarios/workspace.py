"""Creating a scenario's workspace (files, databases) and applying its data faults.

Everything here is idempotent — writing a file that already holds the content, creating
a database only when it is missing, inserting a failure row keyed by pipeline and time —
because a resumed run replays the step it was killed in.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from charter.protocols import ConfigError
from charter.protocols.file_modes import private_file

from .format import DatabaseSpec, FaultStep, FileSpec, TableSpec

PIPELINE_RUNS = (
    "CREATE TABLE IF NOT EXISTS pipeline_runs (pipeline TEXT NOT NULL, started_at TEXT NOT NULL,"
    " status TEXT NOT NULL, error TEXT, details TEXT, PRIMARY KEY (pipeline, started_at))"
)


def _orders_demo(path: Path, spec: DatabaseSpec, seed: int) -> None:
    from charter.graph.demo import make_orders_db

    duplicates = int(spec.options.get("duplicates", 7))
    make_orders_db(path, seed=seed, rows=spec.rows, duplicates=min(duplicates, spec.rows))
    with sqlite3.connect(private_file(path)) as db:
        db.execute(PIPELINE_RUNS)
        # The orders table is filled from staging (duplicates excluded), so quality checks
        # and latency probes have real rows to measure.
        db.execute(
            "INSERT OR IGNORE INTO orders SELECT order_id, customer_id, amount, created_at"
            " FROM staging_orders GROUP BY order_id"
        )


def _metrics_series(path: Path, spec: DatabaseSpec, seed: int) -> None:
    # A daily metric with a weekly rhythm and noise; `options.shift_after` days in, the level
    # moves (drift) so drift and anomaly checks have something real to find.
    rng = random.Random(seed)
    shift_after = int(spec.options.get("shift_after", spec.rows))
    with sqlite3.connect(private_file(path)) as db:
        db.execute("CREATE TABLE metrics (day INTEGER PRIMARY KEY, value REAL NOT NULL)")
        rows = []
        for day in range(spec.rows):
            level = 100.0 + (25.0 if day >= shift_after else 0.0)
            rows.append((day, round(level + 5 * ((day % 7) - 3) + rng.gauss(0, 2), 3)))
        db.executemany("INSERT INTO metrics VALUES (?, ?)", rows)
        db.execute(PIPELINE_RUNS)


GENERATORS: dict[str, Callable[[Path, DatabaseSpec, int], None]] = {
    "orders_demo": _orders_demo,
    "metrics_series": _metrics_series,
}


def create_tables(path: Path, tables: dict[str, TableSpec]) -> None:
    with sqlite3.connect(private_file(path)) as db:
        db.execute(PIPELINE_RUNS)
        for name, table in tables.items():
            columns = ", ".join(f'"{c}" {kind}' for c, kind in table.columns.items())
            if table.primary_key:
                columns += ", PRIMARY KEY (" + ", ".join(f'"{c}"' for c in table.primary_key) + ")"
            db.execute(f'CREATE TABLE "{name}" ({columns})')
            marks = ", ".join("?" for _ in table.columns)
            for row in table.rows:
                if len(row) != len(table.columns):
                    raise ConfigError(
                        f"table {name!r}: row {row!r} has {len(row)} values; expected "
                        f"{len(table.columns)} ({', '.join(table.columns)})"
                    )
            db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', table.rows)
            for index, cols in enumerate(table.indexes):
                quoted = ", ".join(f'"{c}"' for c in cols)
                db.execute(f'CREATE INDEX "{name}_idx{index}" ON "{name}" ({quoted})')


def build_database(datasets: Path, spec: DatabaseSpec, seed: int) -> Path:
    """Create `spec` under `datasets` unless it exists (atomically: temp file + rename)."""
    target = datasets / spec.name
    if target.exists():
        return target
    datasets.mkdir(parents=True, exist_ok=True)
    temp = datasets / f".{spec.name}.tmp"
    temp.unlink(missing_ok=True)
    if spec.generate is not None:
        GENERATORS[spec.generate](temp, spec, seed)
    if spec.tables:
        create_tables(temp, spec.tables)
    if not temp.exists():
        create_tables(temp, {})
    if spec.backup:
        backups = datasets / "backups"
        backups.mkdir(exist_ok=True)
        shutil.copyfile(temp, backups / spec.name)
    os.replace(temp, target)
    return target


def source_file(base_dir: Path, source: str) -> Path:
    """The file a workspace entry's `from:` names: a relative path to a regular file inside
    the scenario's folder, links resolved (a link out of it is refused too). Raises
    ValueError with the reason."""
    if Path(source).is_absolute():
        raise ValueError("an absolute path; expected a file beside the scenario")
    folder = base_dir.resolve()
    found = (folder / source).resolve()
    if not found.is_relative_to(folder):
        raise ValueError("leads outside the scenario's folder; expected a file beside it")
    if not found.is_file():
        raise ValueError("no such file beside the scenario")
    return found


def write_files(workspace: Path, base_dir: Path, files: list[FileSpec]) -> None:
    """The scenario's workspace files, written the way an agent's are: the path cleaned,
    every folder entered without following a link (so nothing lands outside the run)."""
    from charter.graph.paths import clean_path
    from charter.graph.safe_write import write_file
    from charter.inputs.untrusted import read_text

    for spec in files:
        if spec.content is not None:
            content = spec.content
        else:
            content = read_text(source_file(base_dir, str(spec.source)), "workspace file")
        path = clean_path(spec.path)
        target = workspace / path
        unchanged = target.is_file() and not target.is_symlink()
        if unchanged and target.read_text(encoding="utf-8") == content:
            continue  # a resumed run: already written
        write_file(workspace, path, content.encode("utf-8"))


def apply_data_fault(
    datasets: Path, fault: FaultStep, at: datetime, seed: int
) -> dict[str, object]:
    """Change the run's data as `fault` says; the details recorded with the fault event."""
    path = datasets / fault.database
    if not path.is_file():
        raise ConfigError(f"fault: database {fault.database!r} does not exist in the workspace")
    with sqlite3.connect(private_file(path)) as db:
        if fault.pipeline is not None:
            db.execute(PIPELINE_RUNS)
            db.execute(
                "INSERT OR IGNORE INTO pipeline_runs VALUES (?, ?, 'failed', ?, ?)",
                (fault.pipeline, at.isoformat(), fault.fails_with, json.dumps(fault.details)),
            )
            return {"pipeline": fault.pipeline, "error": fault.fails_with, **fault.details}
        assert fault.nulls is not None
        nulls = fault.nulls
        rowids = [r[0] for r in db.execute(f'SELECT rowid FROM "{nulls.table}" ORDER BY rowid')]
        chosen = sorted(random.Random(seed).sample(rowids, round(len(rowids) * nulls.share)))
        db.executemany(
            f'UPDATE "{nulls.table}" SET "{nulls.column}" = NULL WHERE rowid = ?',
            [(r,) for r in chosen],
        )
        return {"table": nulls.table, "column": nulls.column, "rows": len(chosen)}


__all__ = ["GENERATORS", "PIPELINE_RUNS", "apply_data_fault", "build_database", "write_files"]
