"""Backup and verified restore on SQLite (online backup API) and PostgreSQL (logical copy)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from charter.agents.data.backup import backup_database, restore_database
from charter.protocols import ConfigError


def _make_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY,"
            " customer_id INTEGER REFERENCES customers(id), amount NUMERIC(10,2), placed DATE)"
        )
        db.executemany(
            "INSERT INTO customers VALUES (?, ?)", [(i, f"c{i}@x.org") for i in range(1, 201)]
        )
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            [
                (i, 1 + i % 200, round(i * 1.25, 2), f"2026-01-{1 + i % 28:02d}")
                for i in range(1, 1001)
            ],
        )
    return path


def test_sqlite_backup_restores_and_verifies(tmp_path: Path) -> None:
    source = _make_sqlite(tmp_path / "prod.sqlite")
    result = backup_database(source, tmp_path / "backups" / "b1.sqlite")
    assert result.method == "sqlite-online-backup"
    assert {t.table: t.rows for t in result.tables} == {"customers": 200, "orders": 1000}
    assert Path(result.manifest).is_file()
    restored = restore_database(tmp_path / "backups" / "b1.sqlite", tmp_path / "restored.sqlite")
    assert restored.verified and restored.mismatches == []
    assert [c.table for c in restored.checks] == ["customers", "orders"]
    assert restored.recovery_time_minutes >= 0 and restored.within_objective
    with sqlite3.connect(tmp_path / "restored.sqlite") as db:
        assert db.execute("SELECT SUM(amount) FROM orders").fetchone()[0] == pytest.approx(625625.0)


def test_tampered_backup_fails_verification(tmp_path: Path) -> None:
    source = _make_sqlite(tmp_path / "prod.sqlite")
    backup_database(source, tmp_path / "b.sqlite")
    with sqlite3.connect(tmp_path / "b.sqlite") as db:
        # Same row count, different content: only the checksum can tell.
        db.execute("UPDATE customers SET email = 'evil@x.org' WHERE id = 7")
    restored = restore_database(tmp_path / "b.sqlite", tmp_path / "restored.sqlite")
    assert not restored.verified
    assert restored.mismatches == ["customers"]
    bad = next(c for c in restored.checks if c.table == "customers")
    assert bad.expected_rows == bad.restored_rows and bad.expected_checksum != bad.restored_checksum


def test_backup_refuses_to_overwrite_and_reports_missing_source(tmp_path: Path) -> None:
    source = _make_sqlite(tmp_path / "prod.sqlite")
    (tmp_path / "exists.sqlite").write_bytes(b"keep")
    with pytest.raises(ConfigError, match="already exists"):
        backup_database(source, tmp_path / "exists.sqlite")
    assert (tmp_path / "exists.sqlite").read_bytes() == b"keep"
    with pytest.raises(ConfigError, match="no such SQLite file"):
        backup_database(tmp_path / "missing.sqlite", tmp_path / "b.sqlite")
    assert not (tmp_path / "b.sqlite").exists()


@pytest.fixture
def pg_databases(pg_database: Callable[[str], str]) -> list[str]:
    return [pg_database("charter_bk") for _ in range(2)]


def test_postgres_logical_backup_and_restore(tmp_path: Path, pg_databases: list[str]) -> None:
    source_url, restore_url = pg_databases
    engine = sa.create_engine(source_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT, price NUMERIC(8,2))")
        )
        connection.execute(
            sa.text(
                "INSERT INTO items (name, price) "
                "SELECT 'item ' || g, g * 0.5 FROM generate_series(1, 500) g"
            )
        )
    engine.dispose()
    result = backup_database(source_url, tmp_path / "pg.sqlite")
    assert result.method == "logical-copy"
    assert [(t.table, t.rows) for t in result.tables] == [("items", 500)]
    restored = restore_database(tmp_path / "pg.sqlite", restore_url)
    assert restored.method == "logical-copy"
    assert restored.verified, restored.checks
    engine = sa.create_engine(restore_url)
    with engine.begin() as connection:
        # The serial sequence was moved past the copied rows: a new insert does not collide.
        new_id = connection.execute(
            sa.text("INSERT INTO items (name) VALUES ('new') RETURNING id")
        ).scalar()
    engine.dispose()
    assert new_id == 501
