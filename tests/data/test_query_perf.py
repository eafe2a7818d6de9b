"""Query performance: plans, full scans on filtered/joined columns, an index proven on a copy."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from charter.agents.data.query_perf import analyse_workload, read_workload
from charter.agents.data.query_sql import predicate_columns
from charter.protocols import ConfigError

ORDERS_BY_CUSTOMER = "SELECT id, amount FROM orders WHERE customer_id = 4242"
JOINED = (
    "SELECT c.email, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id "
    "WHERE c.email = 'c17@x.org'"
)


def _shop(path: Path, orders: int = 60_000) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT)")
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL)")
        db.executemany(
            "INSERT INTO customers VALUES (?, ?)", [(i, f"c{i}@x.org") for i in range(6000)]
        )
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?)",
            [(i, (i * 7919) % 6000, i * 0.5) for i in range(orders)],
        )
    return path


def _indexes(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]


def test_predicate_columns_resolve_aliases_and_joins() -> None:
    schema = {"customers": {"id", "email"}, "orders": {"id", "customer_id", "amount"}}
    found = predicate_columns(JOINED + " AND o.amount > 10", schema)
    assert found.aliases["o"] == "orders" and found.aliases["c"] == "customers"
    assert found.ordered_for("orders") == ["amount"]  # a filter beats a join column
    assert found.ordered_for("customers") == ["email"]
    assert predicate_columns(JOINED, schema).ordered_for("orders") == ["customer_id"]
    assert predicate_columns("SELECT amount FROM orders", schema).ordered_for("orders") == []
    # A literal that looks like a predicate is not one.
    text = predicate_columns("SELECT * FROM orders WHERE customer_id = 'amount > 3'", schema)
    assert text.ordered_for("orders") == ["customer_id"]


def test_full_scan_found_and_index_proven_on_a_copy(tmp_path: Path) -> None:
    path = _shop(tmp_path / "shop.sqlite")
    report = analyse_workload(f"sqlite:///{path}", [ORDERS_BY_CUSTOMER], runs=5)
    timing = report.queries[0]
    assert [(s.table, s.columns) for s in timing.full_scans] == [("orders", ["customer_id"])]
    [proposal] = report.proposals
    assert proposal.table == "orders" and proposal.columns == ["customer_id"]
    assert any("SCAN orders" in line for line in proposal.before_plan)
    assert any(proposal.name in line and "SEARCH" in line for line in proposal.after_plan)
    assert proposal.plan_uses_index and proposal.proven_on == "sqlite-copy"
    # A lookup instead of a 60,000-row scan: the margin is orders of magnitude.
    assert proposal.improved and proposal.after_p95_ms < proposal.before_p95_ms
    assert proposal.proven
    assert (
        report.migration_sql.strip()
        == "CREATE INDEX IF NOT EXISTS ix_orders_customer_id ON orders (customer_id);"
    )
    # Proven on a copy: the database itself is untouched.
    assert _indexes(path) == []
    assert report.p95_ms >= report.p50_ms > 0 and report.figures() == {
        "query_p95_ms": report.p95_ms
    }


def test_join_without_index_is_reported_and_indexed_query_is_not(tmp_path: Path) -> None:
    path = _shop(tmp_path / "shop.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("CREATE INDEX ix_orders_customer_id ON orders (customer_id)")
    report = analyse_workload(f"sqlite:///{path}", [ORDERS_BY_CUSTOMER, JOINED], runs=3)
    assert report.queries[0].full_scans == []
    scanned = {s.table for s in report.queries[1].full_scans}
    assert scanned == {"customers"}  # orders is reached through its index
    assert [(p.table, p.columns) for p in report.proposals] == [("customers", ["email"])]
    assert report.proposals[0].plan_uses_index


def test_workload_file_errors(tmp_path: Path) -> None:
    work = tmp_path / "w.sql"
    work.write_text("-- lookups\nSELECT 1;\n\nDELETE FROM orders;\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 4: only SELECT"):
        read_workload(work)
    work.write_text("SELECT 1; SELECT ';' AS x;", encoding="utf-8")
    assert read_workload(work) == ["SELECT 1", "SELECT ';' AS x"]
    path = _shop(tmp_path / "shop.sqlite", orders=10)
    with pytest.raises(ConfigError, match="workload query"):
        analyse_workload(f"sqlite:///{path}", ["SELECT nope FROM orders"], runs=1)


@pytest.fixture
def pg_url(pg_database: Callable[[str], str]) -> str:
    return pg_database("charter_qp")


def test_postgres_seq_scan_and_index_proven_in_a_rolled_back_transaction(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE orders (id SERIAL PRIMARY KEY, customer_id INT, amount NUMERIC)")
        )
        connection.execute(
            sa.text(
                "INSERT INTO orders (customer_id, amount) "
                "SELECT g % 5000, g * 0.5 FROM generate_series(1, 50000) g"
            )
        )
        connection.execute(sa.text("ANALYZE orders"))
    report = analyse_workload(pg_url, ["SELECT id FROM orders WHERE customer_id = 42"], runs=3)
    assert report.dialect == "postgresql"
    assert [(s.table, s.columns) for s in report.queries[0].full_scans] == [
        ("orders", ["customer_id"])
    ]
    [proposal] = report.proposals
    assert proposal.proven_on == "rolled-back-transaction"
    assert any("Seq Scan on orders" in line for line in proposal.before_plan)
    assert proposal.plan_uses_index
    with engine.connect() as connection:
        names = (
            connection.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'orders'")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert names == ["orders_pkey"]  # the proof left nothing behind


def test_a_query_through_a_view_proposes_no_index_on_the_view(tmp_path: Path) -> None:
    path = _shop(tmp_path / "shop.sqlite", orders=2000)
    with sqlite3.connect(path) as db:
        db.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 10")
    report = analyse_workload(
        f"sqlite:///{path}",
        ["SELECT id FROM big_orders WHERE customer_id = 3", ORDERS_BY_CUSTOMER],
        runs=2,
    )
    # The view's columns are not resolved to a table, so nothing is proposed for it; the
    # base-table query still gets its proven index.
    assert [p.table for p in report.proposals] == ["orders"]
    assert report.proposals[0].plan_uses_index and report.notes == []
