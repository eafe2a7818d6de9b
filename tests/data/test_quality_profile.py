"""Profile distinct counts: run alongside the main scan, skipped where a key decides them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, event, text

from charter.agents.data.connect import open_engine
from charter.agents.data.profile import profile_database

_ROWS = [(i, f"k{i % 7}" if i % 5 else None, i % 3, f"u{i}") for i in range(1, 61)]
_DDL = "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, n INTEGER, u TEXT NOT NULL UNIQUE)"


def _expected() -> dict[str, int]:
    columns = list(zip(*_ROWS, strict=True))
    names = ["id", "k", "n", "u"]
    return {
        n: len({v for v in col if v is not None}) for n, col in zip(names, columns, strict=True)
    }


def test_distinct_counts_match_and_keys_need_no_distinct_query(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with sqlite3.connect(path) as db:
        db.execute(_DDL)
        db.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", _ROWS)
    db.close()
    engine = open_engine(path)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].upper()))
    profile = profile_database(engine, ["t"], sample_size=10).table("t")
    engine.dispose()
    assert {c.name: c.distinct_count for c in profile.columns} == _expected()
    assert {c.name: c.null_count for c in profile.columns} == {"id": 0, "k": 12, "n": 0, "u": 0}
    distinct = [s for s in statements if "DISTINCT" in s]
    assert any("DISTINCT T.K" in s for s in distinct) and any("DISTINCT T.N" in s for s in distinct)
    # The integer primary key and the NOT NULL UNIQUE column are unique by declaration.
    assert not any("DISTINCT T.ID" in s or "DISTINCT T.U" in s for s in distinct)
    # Never-null columns are counted by COUNT(*), not a COUNT(col) of their own.
    main = next(s for s in statements if "MAX(T.K)" in s)
    assert "COUNT(T.K)" in main and "COUNT(T.N)" in main
    assert "COUNT(T.ID)" not in main and "COUNT(T.U)" not in main


def test_profile_of_an_in_memory_database_stays_on_one_connection() -> None:
    engine = create_engine("sqlite://")  # each pooled connection would be a new database
    with engine.begin() as conn:
        conn.execute(text(_DDL))
        for row in _ROWS:
            conn.execute(text("INSERT INTO t VALUES (:a, :b, :c, :d)"),
                         dict(zip("abcd", row, strict=True)))  # fmt: skip
    profile = profile_database(engine, ["t"], sample_size=0).table("t")
    engine.dispose()
    assert {c.name: c.distinct_count for c in profile.columns} == _expected()
