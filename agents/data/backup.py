"""Backup and verified restore.

A backup is a copy of the whole database plus a manifest (`<backup>.manifest.json`) with
each table's row count and content checksum taken from the copy. SQLite uses the online
backup API (consistent while others read and write); any other database (PostgreSQL) is
copied logically through SQLAlchemy reflection — no `pg_dump` needed. A logical copy keeps
tables, keys, constraints and indexes, but NOT views, triggers, functions or grants.

A restore copies the backup into a scratch (or given, empty) database and verifies that
every table's row count and checksum match the manifest. Its measured duration is the
recovery time, reported against the seed's "< 1 hour" objective.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from pydantic import Field

from charter.inputs import safe_json
from charter.protocols import ConfigError, StrictModel

from .ops_db import copy_database, open_engine, safe_url, snapshot, sqlite_path, to_url

RECOVERY_OBJECTIVE_MINUTES = 60.0


class TableSnapshot(StrictModel):
    table: str
    rows: int
    checksum: str


class BackupResult(StrictModel):
    source: str
    backup: str
    manifest: str
    method: str
    tables: list[TableSnapshot] = Field(default_factory=list)
    seconds: float
    ok: bool = True


class TableCheck(StrictModel):
    table: str
    expected_rows: int | None
    restored_rows: int | None
    expected_checksum: str | None
    restored_checksum: str | None

    @property
    def ok(self) -> bool:
        return (
            self.expected_rows == self.restored_rows
            and self.expected_checksum == self.restored_checksum
        )


class RestoreResult(StrictModel):
    backup: str
    restored_to: str
    method: str
    checks: list[TableCheck] = Field(default_factory=list)
    verified: bool
    mismatches: list[str] = Field(default_factory=list)
    recovery_seconds: float
    recovery_time_minutes: float
    objective_minutes: float = RECOVERY_OBJECTIVE_MINUTES
    within_objective: bool


def _manifest_path(backup_url: str) -> Path:
    file = sqlite_path(backup_url)
    if file is not None:
        return file.with_name(file.name + ".manifest.json")
    # A non-file backup target keeps its manifest in the working directory, by database name.
    from sqlalchemy.engine import make_url

    name = make_url(backup_url).database or "backup"
    return Path.cwd() / f"{name}.manifest.json"


def _snapshots(url: str) -> list[TableSnapshot]:
    engine = open_engine(url)
    try:
        return [
            TableSnapshot(table=t, rows=r, checksum=c) for t, (r, c) in snapshot(engine).items()
        ]
    finally:
        engine.dispose()


def backup_database(source: str | Path, to: str | Path) -> BackupResult:
    """Back up `source` (URL or SQLite path) to `to` (a new SQLite file or an empty database)."""
    source_url, target_url = to_url(source), to_url(to)
    target_file = sqlite_path(target_url)
    if target_file is not None and target_file.exists():
        raise ConfigError(f"backup target {target_file}: already exists, expected a new file")
    open_engine(source_url).dispose()  # fail early on a bad source
    started = time.perf_counter()
    if target_file is not None:
        # Write under a temporary name and rename: never leave a half-written backup.
        target_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=target_file.parent, suffix=".partial")
        os.close(handle)
        Path(temp_name).unlink()
        try:
            method = copy_database(source_url, to_url(temp_name))
            os.replace(temp_name, target_file)
        finally:
            Path(temp_name).unlink(missing_ok=True)
    else:
        method = copy_database(source_url, target_url)
    tables = _snapshots(target_url)
    seconds = time.perf_counter() - started
    manifest = _manifest_path(target_url)
    result = BackupResult(
        source=safe_url(source_url),
        backup=safe_url(target_url),
        manifest=str(manifest),
        method=method,
        tables=tables,
        seconds=round(seconds, 6),
    )
    manifest.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return result


def _expected(backup_url: str) -> dict[str, tuple[int, str]]:
    manifest = _manifest_path(backup_url)
    if manifest.is_file():
        try:
            recorded = BackupResult.model_validate(safe_json(manifest, "backup manifest"))
        except ValueError as error:
            raise ConfigError(f"backup manifest {manifest}: unreadable ({error})") from None
        return {t.table: (t.rows, t.checksum) for t in recorded.tables}
    # No manifest (a backup made by other means): verify against the backup itself.
    return {t.table: (t.rows, t.checksum) for t in _snapshots(backup_url)}


def restore_database(
    backup: str | Path, into: str | Path | None = None, *, verify: bool = True
) -> RestoreResult:
    """Restore `backup` into `into` (default: a new scratch SQLite file) and verify it."""
    backup_url = to_url(backup)
    file = sqlite_path(backup_url)
    if file is not None and not file.is_file():
        raise ConfigError(f"backup {file}: no such file")
    if into is None:
        scratch = Path(tempfile.mkdtemp(prefix="charter-restore-"))
        target_url = to_url(scratch / "restored.sqlite")
    else:
        target_url = to_url(into)
        target_file = sqlite_path(target_url)
        if target_file is not None and target_file.exists():
            raise ConfigError(f"restore target {target_file}: already exists, expected a new file")
    expected = _expected(backup_url)
    started = time.perf_counter()
    method = copy_database(backup_url, target_url)
    checks: list[TableCheck] = []
    if verify:
        restored = {t.table: (t.rows, t.checksum) for t in _snapshots(target_url)}
        for table in sorted(set(expected) | set(restored)):
            want, got = expected.get(table), restored.get(table)
            checks.append(
                TableCheck(
                    table=table,
                    expected_rows=want[0] if want else None,
                    restored_rows=got[0] if got else None,
                    expected_checksum=want[1] if want else None,
                    restored_checksum=got[1] if got else None,
                )
            )
    seconds = time.perf_counter() - started
    mismatches = [c.table for c in checks if not c.ok]
    minutes = seconds / 60.0
    return RestoreResult(
        backup=safe_url(backup_url),
        restored_to=safe_url(target_url),
        method=method,
        checks=checks,
        verified=verify and not mismatches,
        mismatches=mismatches,
        recovery_seconds=round(seconds, 6),
        recovery_time_minutes=round(minutes, 6),
        within_objective=minutes < RECOVERY_OBJECTIVE_MINUTES,
    )


__all__ = [
    "RECOVERY_OBJECTIVE_MINUTES",
    "BackupResult",
    "RestoreResult",
    "TableCheck",
    "TableSnapshot",
    "backup_database",
    "restore_database",
]
