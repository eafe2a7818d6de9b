"""Migration safety: destructive operations flagged, sensitive columns need Security review,
and the migration runs on a copy first."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from charter.agents.data.backup import backup_database
from charter.agents.data.migration import check_migration
from charter.agents.data.migration_types import narrowing_reason
from charter.agents.data.sql_split import split_sql
from charter.protocols import ConfigError


def _db(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, ssn TEXT, note TEXT)"
        )
        db.executemany(
            "INSERT INTO customers VALUES (?, ?, ?, ?)",
            [(i, f"c{i}@x.org", f"123-45-{i:04d}", None) for i in range(50)],
        )
        db.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)")
        db.execute("INSERT INTO audit VALUES (1, 'x')")
    return f"sqlite:///{path}"


def _codes(report: object) -> list[str]:
    return [f.code for f in report.findings]  # type: ignore[attr-defined]


def test_destructive_migration_is_flagged_and_tested_on_a_copy(tmp_path: Path) -> None:
    url = _db(tmp_path / "app.sqlite")
    sql = "-- clean up\nDROP TABLE audit;\nALTER TABLE customers DROP COLUMN note;\n"
    report = check_migration(url, sql)
    assert _codes(report) == ["drop_table", "drop_column", "missing_backup"]
    assert (
        report.findings[0].message == "drops table audit (1 rows)" and report.findings[0].line == 2
    )
    assert not report.safe
    assert report.dry_run.ok and report.dry_run.on == "sqlite-copy"
    assert report.dry_run.rows_before == {"audit": 1, "customers": 50}
    assert report.dry_run.rows_after == {"customers": 50}
    assert report.dry_run.checks == {"integrity_check": "ok", "foreign_key_check": "ok"}
    # Only the copy changed.
    with sqlite3.connect(tmp_path / "app.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM audit").fetchone() == (1,)
        assert "note" in [r[1] for r in db.execute("PRAGMA table_info(customers)")]


def test_a_verified_backup_clears_missing_backup(tmp_path: Path) -> None:
    url = _db(tmp_path / "app.sqlite")
    backup_database(tmp_path / "app.sqlite", tmp_path / "app.bak.sqlite")
    report = check_migration(url, "DROP TABLE audit;", backup=tmp_path / "app.bak.sqlite")
    assert _codes(report) == ["drop_table"] and report.backup_verified


def test_sensitive_column_needs_security_review(tmp_path: Path) -> None:
    url = _db(tmp_path / "app.sqlite")
    levels = {
        "customers.ssn": "restricted",
        "customers.email": "confidential",
        "customers.note": "internal",
    }
    report = check_migration(
        url,
        "UPDATE customers SET ssn = NULL WHERE id < 5;\n"
        "ALTER TABLE customers ADD COLUMN tier TEXT;",
        classifications=levels,
    )
    assert [(f.code, f.column, f.needs_review) for f in report.findings] == [
        ("sensitive_column", "ssn", "data_security_review")
    ]
    assert report.needs_security_review and not report.safe
    harmless = check_migration(
        url, "UPDATE customers SET note = 'x' WHERE id = 1;", classifications=levels
    )
    assert harmless.findings == [] and harmless.safe
    with pytest.raises(ConfigError, match="expected public, internal"):
        check_migration(url, "SELECT 1;", classifications={"customers.ssn": "secret"})


def test_not_null_without_default_on_a_non_empty_table(tmp_path: Path) -> None:
    url = _db(tmp_path / "app.sqlite")
    report = check_migration(url, "ALTER TABLE customers ADD COLUMN tier TEXT NOT NULL;")
    assert _codes(report) == ["not_null_without_default", "statement_failed"]
    assert report.dry_run.failed_statement == 1 and "NOT NULL" in (report.dry_run.error or "")
    ok = check_migration(
        url, "ALTER TABLE customers ADD COLUMN tier TEXT NOT NULL DEFAULT 'basic';"
    )
    assert ok.findings == [] and ok.safe


@pytest.mark.parametrize(
    ("old", "new", "narrow"),
    [
        ("VARCHAR(100)", "varchar(50)", True),
        ("VARCHAR(50)", "varchar(100)", False),
        ("TEXT", "varchar(20)", True),
        ("BIGINT", "integer", True),
        ("INTEGER", "bigint", False),
        ("NUMERIC(10, 2)", "numeric(8,2)", True),
        ("NUMERIC(10, 2)", "numeric(12,2)", False),
        ("DOUBLE PRECISION", "integer", True),
        ("TEXT", "integer", True),
        ("INTEGER", "text", False),
    ],
)
def test_narrowing_types(old: str, new: str, narrow: bool) -> None:
    assert (narrowing_reason(old, new) is not None) is narrow


def test_splitter_keeps_quotes_comments_and_trigger_bodies() -> None:
    sql = (
        "INSERT INTO t VALUES ('a;b'); -- c;d\n/* e; */ CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
        "UPDATE t SET x = 1; UPDATE t SET y = 2; END;\nSELECT 1"
    )
    statements = split_sql(sql)
    assert [s.sql.split()[0] for s in statements] == ["INSERT", "CREATE", "SELECT"]
    assert statements[0].sql == "INSERT INTO t VALUES ('a;b')"
    assert statements[1].sql.endswith("END") and statements[1].line == 2 and statements[2].line == 3


@pytest.fixture
def pg_url(pg_database: Callable[[str], str]) -> str:
    return pg_database("charter_mg")


def test_postgres_narrowing_and_rolled_back_dry_run(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE users (id SERIAL PRIMARY KEY, name VARCHAR(100), age BIGINT)")
        )
        connection.execute(sa.text("INSERT INTO users (name, age) VALUES ('ann', 30), (NULL, 40)"))
    report = check_migration(
        pg_url,
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);\n"
        "ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n"
        "DELETE FROM users;",
    )
    assert _codes(report) == [
        "narrowing_type",
        "not_null_without_default",
        "delete_all",
        "missing_backup",
        "statement_failed",
    ]
    assert report.dry_run.on == "rolled-back-transaction" and report.dry_run.failed_statement == 2
    with engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT COUNT(*) FROM users")).scalar()
        length = connection.execute(
            sa.text(
                "SELECT character_maximum_length FROM information_schema.columns "
                "WHERE table_name = 'users' AND column_name = 'name'"
            )
        ).scalar()
    engine.dispose()
    assert (kept, length) == (2, 100)
