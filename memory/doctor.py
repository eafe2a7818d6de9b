"""`charter doctor RUN`: check a run and say, one line a check, what is wrong and what to do.

Each check reads only (nothing is created, migrated or repaired) and stops being asked once
an earlier one it depends on failed: a database that is not a database has no schema to
check. Findings are `ok`, `warn` (works, but proves or keeps less than it could) or `fail`.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from charter.protocols import ConfigError, VirtualClock

if TYPE_CHECKING:
    from .store import RunStore

Status = Literal["ok", "warn", "fail"]
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.check:<14} {self.detail}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def examine(run: str, *, store: str | None = None) -> list[Finding]:
    """Every check of the run `run` (a run directory, a `.db` file or a URL)."""
    findings: list[Finding] = []
    path = Path(run)
    if path.is_dir():
        findings.append(_check_meta(path))
    database = _sqlite_file(path) if store is None and "://" not in run else None
    if database is not None:
        for check in (_check_file, _check_integrity):
            finding = check(database)
            findings.append(finding)
            if finding.status == "fail":
                return findings  # what follows would only fail on the same damage
    findings.extend(_check_store(run, store, path))
    findings.append(_check_keys())
    return findings


def _sqlite_file(path: Path) -> Path | None:
    if path.is_dir():
        from .backend import recorded_store

        return None if recorded_store(path) is not None else path / "run.db"
    return path


def _check_meta(run_dir: Path) -> Finding:
    meta_path = run_dir / "run.json"
    if not meta_path.exists():
        return Finding("run.json", "fail", f"{meta_path} is missing: not a run directory")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return Finding("run.json", "fail", f"not readable JSON ({error})")
    if not isinstance(meta, dict) or not isinstance(meta.get("run_id"), str):
        return Finding("run.json", "fail", "expected an object with a run_id")
    anchored = "with an anchored audit head" if "audit_head" in meta else "no audit head"
    return Finding("run.json", "ok", f"run {meta['run_id']}, {anchored}")


def _check_file(database: Path) -> Finding:
    try:
        info = database.lstat()
    except FileNotFoundError:
        return Finding("database", "fail", f"{database} is missing")
    if not stat.S_ISREG(info.st_mode):
        return Finding("database", "fail", f"{database} is not a regular file")
    if info.st_size == 0:
        return Finding("database", "fail", f"{database} is empty: no run was ever stored there")
    try:
        with open(database, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        return Finding("database", "fail", f"{database} cannot be read ({error.strerror})")
    if header != SQLITE_HEADER:
        return Finding("database", "fail", f"{database} is not a SQLite database")
    mode = stat.S_IMODE(info.st_mode)
    size = f"{info.st_size:,} bytes, mode {mode:04o}"
    if mode & 0o004:
        return Finding("database", "warn", f"{size}: anyone on this machine can read it")
    return Finding("database", "ok", size)


def _check_integrity(database: Path) -> Finding:
    """SQLite's own page-by-page check, on a read-only connection."""
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            rows = [str(row[0]) for row in connection.execute("PRAGMA quick_check(5)")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return Finding("integrity", "fail", f"SQLite cannot read it ({error})")
    if rows == ["ok"]:
        return Finding("integrity", "ok", "PRAGMA quick_check: ok")
    return Finding(
        "integrity",
        "fail",
        f"damaged: {'; '.join(rows)} (restore a backup, or copy out what reads with .recover)",
    )


def _check_store(run: str, store: str | None, path: Path) -> list[Finding]:
    from sqlalchemy.exc import SQLAlchemyError

    from . import open_run_store
    from .anchor import read_anchor
    from .backend import locate_run
    from .migrations import LATEST

    try:
        where = locate_run(run, store=store)
        opened = open_run_store(
            where.url,
            clock=VirtualClock(datetime.now(UTC)),
            schema=where.schema,
            run_id=where.run_id,
            existing=True,
        )
    except (ConfigError, SQLAlchemyError) as error:
        return [Finding("store", "fail", _one_line(error))]
    findings: list[Finding] = []
    try:
        findings.append(Finding("store", "ok", f"run {opened.run_id}, schema version {LATEST}"))
        checks: list[Callable[[], Finding]] = [
            lambda: _events(opened),
            lambda: _audit(opened, read_anchor(path) if path.is_dir() else None),
        ]
        for check in checks:
            try:
                findings.append(check())
            except (ConfigError, SQLAlchemyError) as error:
                findings.append(Finding("store", "fail", _one_line(error)))
    finally:
        opened.close()
    return findings


def _events(opened: RunStore) -> Finding:
    count = opened.event_count()
    if count == 0:
        return Finding("events", "warn", "no events: the run never started")
    return Finding("events", "ok", f"{count:,} events")


def _audit(opened: RunStore, anchor: dict[str, Any] | None) -> Finding:
    report = opened.verify_audit(anchor)
    if not report.ok:
        return Finding("audit", "fail", str(report))
    if report.warnings:
        return Finding("audit", "warn", f"{report}; " + "; ".join(report.warnings))
    return Finding("audit", "ok", str(report))


def _check_keys() -> Finding:
    from .keys import key_dir, load_key

    try:
        key = load_key("audit", create=False)
    except ConfigError as error:
        return Finding("keys", "fail", str(error))
    if key is None:
        return Finding(
            "keys", "warn", f"no audit key in {key_dir()} or $CHARTER_AUDIT_KEY: new runs unkeyed"
        )
    return Finding("keys", "ok", f"audit key {key.key_id} from {key.source}")


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(finding.status == "fail" for finding in findings) else 0


__all__ = ["Finding", "examine", "exit_code"]
