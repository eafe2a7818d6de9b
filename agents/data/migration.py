"""Migration safety: read a SQL migration, flag what can lose data or needs review, and run
it on a copy first ("migration tested in staging").

Findings (severity `block` stops the migration, `warn` needs a person to look):

* `drop_table`, `drop_column`, `truncate`, `delete_all` (DELETE without WHERE) — block;
* `narrowing_type` — ALTER COLUMN ... TYPE to a type that holds less (shorter VARCHAR, a
  smaller integer, fewer NUMERIC digits, text or real to a number/integer) — block;
* `not_null_without_default` — ADD COLUMN ... NOT NULL without DEFAULT on a table that has
  rows, or SET NOT NULL on a column that holds NULLs — block;
* `missing_backup` — a destructive migration without a verified backup (a backup file with
  its manifest, see `backup.py`) — block;
* `sensitive_column` — the statement touches a column classified confidential or
  restricted: Security must review it first (protocol `data_security_review`) — block until
  that review is recorded;
* `rename`, `update_all` (UPDATE without WHERE) — warn;
* `statement_failed` — the statement failed in the dry run — block.

The dry run executes every statement on a copy: a backup-API copy of a SQLite file, or on
PostgreSQL one transaction that is rolled back. Row counts per table before and after, and
the database's own checks afterwards (SQLite `PRAGMA integrity_check` and
`foreign_key_check`; PostgreSQL deferred constraints forced with SET CONSTRAINTS ALL
IMMEDIATE) are reported.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from pydantic import Field

from charter.protocols import ConfigError, StrictModel

from .migration_types import narrowing_reason
from .ops_db import open_engine, row_count, safe_url, sqlite_path, sqlite_scratch_copy
from .sql_split import Statement, split_sql

SENSITIVE_LEVELS = frozenset({"confidential", "restricted"})
REVIEW_PROTOCOL = "data_security_review"

Code = Literal[
    "drop_table",
    "drop_column",
    "truncate",
    "delete_all",
    "narrowing_type",
    "not_null_without_default",
    "missing_backup",
    "sensitive_column",
    "rename",
    "update_all",
    "statement_failed",
]
_DESTRUCTIVE = {"drop_table", "drop_column", "truncate", "delete_all", "narrowing_type"}
_I = re.IGNORECASE
_NAME = r"\"?([\w.]+)\"?"


class MigrationFinding(StrictModel):
    code: Code
    severity: Literal["block", "warn"]
    statement: int  # 1-based statement number
    line: int
    table: str | None = None
    column: str | None = None
    message: str
    needs_review: str | None = None  # a protocol name, e.g. "data_security_review"


class DryRun(StrictModel):
    ran: bool
    ok: bool
    on: str  # "sqlite-copy" or "rolled-back-transaction"
    failed_statement: int | None = None
    error: str | None = None
    rows_before: dict[str, int] = Field(default_factory=dict)
    rows_after: dict[str, int] = Field(default_factory=dict)
    checks: dict[str, str] = Field(default_factory=dict)


class MigrationReport(StrictModel):
    url: str
    migration: str
    statements: int
    findings: list[MigrationFinding] = Field(default_factory=list)
    backup: str | None = None
    backup_verified: bool = False
    needs_security_review: bool = False
    dry_run: DryRun
    safe: bool

    def figures(self) -> dict[str, float]:
        return {"migration_success_rate": 1.0 if self.dry_run.ok else 0.0}


def _table(name: str) -> str:
    return name.split(".")[-1].strip('"')


class _Findings:
    """The findings of one statement (of one table, for an ALTER TABLE)."""

    def __init__(self, index: int, statement: Statement, table: str | None = None) -> None:
        self.index, self.statement, self.table = index, statement, table
        self.found: list[MigrationFinding] = []

    def add(
        self,
        code: Code,
        severity: Literal["block", "warn"],
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        self.found.append(
            MigrationFinding(
                code=code,
                severity=severity,
                statement=self.index,
                line=self.statement.line,
                table=table or self.table,
                column=column,
                message=message,
            )
        )


def _analyse(
    index: int,
    statement: Statement,
    inspector: sa.Inspector,
    counts: dict[str, int],
    connection: sa.Connection,
) -> list[MigrationFinding]:
    sql = statement.sql
    findings = _Findings(index, statement)
    add = findings.add

    if m := re.match(rf"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}", sql, _I):
        table = _table(m.group(1))
        add(
            "drop_table", "block", f"drops table {table} ({counts.get(table, 0)} rows)", table=table
        )
    elif m := re.match(rf"TRUNCATE\s+(?:TABLE\s+)?{_NAME}", sql, _I):
        table = _table(m.group(1))
        add(
            "truncate", "block", f"empties table {table} ({counts.get(table, 0)} rows)", table=table
        )
    elif (m := re.match(rf"DELETE\s+FROM\s+{_NAME}", sql, _I)) and not re.search(
        r"\bWHERE\b", sql, _I
    ):
        table = _table(m.group(1))
        add(
            "delete_all",
            "block",
            f"deletes every row of {table} ({counts.get(table, 0)} rows)",
            table=table,
        )
    elif (m := re.match(rf"UPDATE\s+{_NAME}", sql, _I)) and not re.search(r"\bWHERE\b", sql, _I):
        table = _table(m.group(1))
        add("update_all", "warn", f"updates every row of {table}", table=table)
    elif m := re.match(
        rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}\s+(.*)", sql, _I | re.S
    ):
        findings.found.extend(
            _alter(index, statement, _table(m.group(1)), m.group(2), inspector, counts, connection)
        )
    return findings.found


def _alter(
    index: int,
    statement: Statement,
    table: str,
    action: str,
    inspector: sa.Inspector,
    counts: dict[str, int],
    connection: sa.Connection,
) -> list[MigrationFinding]:
    findings = _Findings(index, statement, table)
    add = findings.add
    quote = connection.dialect.identifier_preparer.quote

    columns = {c["name"]: c for c in inspector.get_columns(table)} if table in counts else {}
    if m := re.match(rf"DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?{_NAME}", action, _I):
        column = m.group(1).strip('"')
        add("drop_column", "block", f"drops column {table}.{column}", column=column)
    elif m := re.match(rf"RENAME\s+(?:COLUMN\s+)?{_NAME}\s+TO\s+{_NAME}", action, _I):
        add(
            "rename",
            "warn",
            f"renames {table}.{m.group(1)} to {m.group(2)}: readers of the old name break",
            column=m.group(1).strip('"'),
        )
    elif m := re.match(rf"RENAME\s+TO\s+{_NAME}", action, _I):
        add(
            "rename",
            "warn",
            f"renames table {table} to {m.group(1)}: readers of the old name break",
        )
    elif m := re.match(
        rf"ALTER\s+(?:COLUMN\s+)?{_NAME}\s+(?:SET\s+DATA\s+)?TYPE\s+(.+?)(?:\s+USING\b.*)?$",
        action,
        _I | re.S,
    ):
        column, new_type = m.group(1).strip('"'), m.group(2).strip()
        old = columns.get(column)
        reason = narrowing_reason(str(old["type"]), new_type) if old else None
        if reason:
            add(
                "narrowing_type",
                "block",
                f"{table}.{column} {old['type'] if old else '?'} -> {new_type}: {reason}",
                column=column,
            )
    elif m := re.match(rf"ALTER\s+(?:COLUMN\s+)?{_NAME}\s+SET\s+NOT\s+NULL", action, _I):
        column = m.group(1).strip('"')
        if table in counts and column in columns:
            nulls = (
                connection.execute(
                    sa.text(f"SELECT COUNT(*) FROM {quote(table)} WHERE {quote(column)} IS NULL")
                ).scalar()
                or 0
            )
            if nulls:
                add(
                    "not_null_without_default",
                    "block",
                    f"SET NOT NULL on {table}.{column}, which holds {nulls} NULL value(s)",
                    column=column,
                )
    elif m := re.match(
        rf"ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}\s+(.*)", action, _I | re.S
    ):
        column, rest = m.group(1).strip('"'), m.group(2)
        if re.search(r"\bNOT\s+NULL\b", rest, _I) and not re.search(r"\bDEFAULT\b", rest, _I):
            rows = counts.get(table, 0)
            if rows:
                add(
                    "not_null_without_default",
                    "block",
                    f"adds NOT NULL column {table}.{column} without a DEFAULT "
                    f"to a table with {rows} rows",
                    column=column,
                )
    return findings.found


def _sensitive(
    index: int,
    statement: Statement,
    classifications: Mapping[str, str],
) -> list[MigrationFinding]:
    """Statements that change a table and name one of its confidential/restricted columns
    (or drop the whole table)."""
    sql = statement.sql
    target = re.match(
        rf"(?:ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?|DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?|"
        rf"UPDATE\s+|DELETE\s+FROM\s+|TRUNCATE\s+(?:TABLE\s+)?|INSERT\s+INTO\s+){_NAME}",
        sql,
        _I,
    )
    if not target:
        return []
    table = _table(target.group(1))
    whole_table = re.match(r"(DROP|TRUNCATE|DELETE)\b", sql, _I) is not None
    out = []
    for key, level in sorted(classifications.items()):
        if level not in SENSITIVE_LEVELS or "." not in key:
            continue
        owner, column = key.rsplit(".", 1)
        if owner.split(".")[-1] != table:
            continue
        if whole_table or re.search(
            rf"(?<![\w.])\"?{re.escape(column)}\"?(?!\w)", sql[target.end() :], _I
        ):
            out.append(
                MigrationFinding(
                    code="sensitive_column",
                    severity="block",
                    statement=index,
                    line=statement.line,
                    table=table,
                    column=column,
                    needs_review=REVIEW_PROTOCOL,
                    message=f"touches {table}.{column} classified {level}: needs Security review "
                    f"({REVIEW_PROTOCOL}) before it is applied",
                )
            )
    return out


def _backup_verified(backup: Path | None) -> bool:
    if backup is None:
        return False
    return backup.is_file() and backup.with_name(backup.name + ".manifest.json").is_file()


@contextmanager
def _staging(url: str, engine: sa.Engine) -> Iterator[tuple[sa.Connection, str]]:
    file = sqlite_path(url)
    if file is not None:
        with (
            tempfile.TemporaryDirectory(prefix="charter-migration-") as folder,
            sqlite_scratch_copy(file, Path(folder)) as copy,
        ):
            # Autocommit: each statement stands alone, and the copy is thrown away anyway.
            scratch = sa.create_engine(f"sqlite:///{copy}", isolation_level="AUTOCOMMIT")
            try:
                with scratch.connect() as connection:
                    connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                    yield connection, "sqlite-copy"
            finally:
                scratch.dispose()
        return
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection, "rolled-back-transaction"
        finally:
            transaction.rollback()


def _counts(connection: sa.Connection) -> dict[str, int]:
    return {t: row_count(connection, t) for t in sorted(sa.inspect(connection).get_table_names())}


def _dry_run(url: str, engine: sa.Engine, statements: list[Statement]) -> DryRun:
    with _staging(url, engine) as (connection, where):
        before = _counts(connection)
        savepoints = connection.dialect.name != "sqlite"
        for number, statement in enumerate(statements, start=1):
            # PostgreSQL aborts a transaction on an error: a savepoint keeps it usable for
            # the row counts after the failure.
            nested = connection.begin_nested() if savepoints else None
            try:
                connection.exec_driver_sql(statement.sql)
                if nested is not None:
                    nested.commit()
            except sa.exc.DBAPIError as error:
                if nested is not None:
                    nested.rollback()
                message = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
                return DryRun(
                    ran=True,
                    ok=False,
                    on=where,
                    failed_statement=number,
                    error=f"line {statement.line}: {message}",
                    rows_before=before,
                    rows_after=_counts(connection),
                )
        checks: dict[str, str] = {}
        if connection.dialect.name == "sqlite":
            checks["integrity_check"] = str(
                connection.exec_driver_sql("PRAGMA integrity_check").scalar()
            )
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            checks["foreign_key_check"] = "ok" if not problems else f"{len(problems)} violation(s)"
        else:
            try:
                connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
                checks["constraints"] = "ok"
            except sa.exc.DBAPIError as error:
                checks["constraints"] = str(error.orig).splitlines()[0]
        after = _counts(connection)
    ok = all(value == "ok" for value in checks.values())
    return DryRun(ran=True, ok=ok, on=where, rows_before=before, rows_after=after, checks=checks)


def check_migration(
    url: str,
    sql: str,
    *,
    classifications: Mapping[str, str] | None = None,
    backup: Path | None = None,
    dry_run: bool = True,
    name: str = "migration.sql",
) -> MigrationReport:
    """Analyse a migration and (by default) run it on a copy; see the module docstring.

    `classifications` maps "table.column" to public/internal/confidential/restricted (the
    governance catalogue provides it)."""
    statements = split_sql(sql)
    if not statements:
        raise ConfigError(f"migration {name}: no SQL statements, expected ';'-separated statements")
    levels = dict(classifications or {})
    for key, level in levels.items():
        if level not in {"public", "internal", "confidential", "restricted"}:
            raise ConfigError(
                f"classification {key!r}: level {level!r}, "
                "expected public, internal, confidential or restricted"
            )
    engine = open_engine(url)
    try:
        inspector = sa.inspect(engine)
        findings: list[MigrationFinding] = []
        with engine.connect() as connection:
            counts = _counts(connection)
            for number, statement in enumerate(statements, start=1):
                findings.extend(_analyse(number, statement, inspector, counts, connection))
                findings.extend(_sensitive(number, statement, levels))
        verified = _backup_verified(backup)
        if any(f.code in _DESTRUCTIVE for f in findings) and not verified:
            first = next(f for f in findings if f.code in _DESTRUCTIVE)
            findings.append(
                MigrationFinding(
                    code="missing_backup",
                    severity="block",
                    statement=first.statement,
                    line=first.line,
                    message="destructive migration without a verified backup: "
                    "run `charter data backup` first"
                    + (f" ({backup} has no manifest)" if backup is not None else ""),
                )
            )
        run = (
            _dry_run(url, engine, statements) if dry_run else DryRun(ran=False, ok=False, on="none")
        )
    finally:
        engine.dispose()
    if run.ran and not run.ok and run.failed_statement is not None:
        failed = statements[run.failed_statement - 1]
        findings.append(
            MigrationFinding(
                code="statement_failed",
                severity="block",
                statement=run.failed_statement,
                line=failed.line,
                message=f"failed on the copy: {run.error}",
            )
        )
    return MigrationReport(
        url=safe_url(url),
        migration=name,
        statements=len(statements),
        findings=findings,
        backup=str(backup) if backup else None,
        backup_verified=verified,
        needs_security_review=any(f.needs_review for f in findings),
        dry_run=run,
        safe=run.ok and not any(f.severity == "block" for f in findings),
    )


__all__ = [
    "REVIEW_PROTOCOL",
    "SENSITIVE_LEVELS",
    "DryRun",
    "MigrationFinding",
    "MigrationReport",
    "check_migration",
]
