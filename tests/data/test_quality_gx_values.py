"""Dates compared by value, and aggregate checks over a table big enough to be scanned in
two halves, on SQLite and PostgreSQL, against figures computed in Python."""

from __future__ import annotations

import math
import sqlite3
import statistics
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from charter.agents.data.quality import run_check, run_suite
from charter.agents.data.suite import parse_suite

START = datetime(2026, 1, 25)
# Every 37 minutes from Jan 25: about 1,100 rows over four weeks, many on Feb 1 itself.
STAMPS = [START + timedelta(minutes=37 * i) for i in range(1100)]
LOW, HIGH = "2026-02-01T00:00:00", "2026-02-10T12:00:00Z"


def _expected_outside() -> int:
    low, high = datetime(2026, 2, 1), datetime(2026, 2, 10, 12)
    return sum(1 for s in STAMPS if not low <= s <= high)


def _textual_outside() -> int:
    # What comparing SQLite's text against the ISO bounds as strings would count.
    texts = [s.strftime("%Y-%m-%d %H:%M:%S") for s in STAMPS]
    return sum(1 for t in texts if not LOW <= t <= HIGH)


def test_sqlite_text_timestamps_compare_by_value(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, created_at TEXT)")
        connection.executemany(
            "INSERT INTO events (created_at) VALUES (?)",
            [(s.strftime("%Y-%m-%d %H:%M:%S"),) for s in STAMPS] + [("not a date",)],
        )
    connection.close()
    expected = _expected_outside()
    assert _textual_outside() != expected  # the test would catch a textual comparison
    result = run_check(
        db, "events", "expect_column_values_to_be_between",
        {"column": "created_at", "min_value": LOW, "max_value": HIGH},
    )  # fmt: skip
    # The row that is no date at all lies in no range of dates.
    assert result.unexpected_count == expected + 1
    share = 1 - (expected + 1) / (len(STAMPS) + 1)
    verdict = run_check(
        db, "events", "expect_column_values_to_be_between",
        {"column": "created_at", "min_value": LOW, "max_value": HIGH,
         "mostly": round(share - 0.001, 4)},
    )  # fmt: skip
    assert verdict.success
    newest = run_check(
        db, "events", "expect_column_max_to_be_between",
        {"column": "created_at", "min_value": "2026-02-20T00:00:00"},
    )  # fmt: skip
    # "not a date" is the textual maximum; the check says it cannot be judged as a date.
    assert newest.error is not None or newest.success is False


def test_postgresql_timestamps_compare_by_value(pg_database: Callable[[str], str]) -> None:
    url = pg_database("h15l_dates")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE events (id SERIAL PRIMARY KEY, created_at TIMESTAMP)")
        )
        connection.execute(
            sa.text("INSERT INTO events (created_at) VALUES (:at)"), [{"at": s} for s in STAMPS]
        )
    result = run_check(
        engine, "events", "expect_column_values_to_be_between",
        {"column": "created_at", "min_value": LOW, "max_value": HIGH},
    )  # fmt: skip
    newest = run_check(
        engine, "events", "expect_column_max_to_be_between",
        {"column": "created_at", "min_value": "2026-02-20T00:00:00Z"},
    )  # fmt: skip
    engine.dispose()
    assert result.unexpected_count == _expected_outside()
    assert newest.success and newest.observed_value == max(STAMPS).isoformat()


ROWS = 250_000  # over the split threshold: SQLite scans it in two halves on two connections


def _values(i: int) -> float:
    return ((i * 7919) % 50000) / 100.0


AGGREGATE_CHECKS: list[dict[str, Any]] = [
    {"expect_column_mean_to_be_between": {"column": "amount", "min_value": 0}},
    {"expect_column_sum_to_be_between": {"column": "amount", "min_value": 0}},
    {"expect_column_stdev_to_be_between": {"column": "amount", "min_value": 0}},
    {"expect_column_min_to_be_between": {"column": "amount", "min_value": 0}},
    {"expect_column_max_to_be_between": {"column": "amount", "max_value": 1000}},
    {"expect_column_median_to_be_between": {"column": "amount", "min_value": 0}},
    {"expect_column_unique_value_count_to_be_between": {"column": "amount", "min_value": 1}},
    {"expect_column_proportion_of_unique_values_to_be_between": {"column": "amount"}},
    {"expect_column_values_to_not_be_null": {"column": "amount"}},
]


def _check_figures(observed: list[Any]) -> None:
    values = [_values(i) for i in range(1, ROWS + 1)]
    mean, total = statistics.fmean(values), math.fsum(values)
    assert observed[0] == pytest.approx(mean, rel=1e-12)
    assert observed[1] == pytest.approx(total, rel=1e-12)
    assert observed[2] == pytest.approx(statistics.stdev(values), rel=1e-9)
    assert observed[3:6] == [min(values), max(values), statistics.median(values)]
    assert observed[6] == len(set(values))
    assert observed[7] == pytest.approx(len(set(values)) / ROWS)


def test_aggregates_over_a_split_scan_match_python(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    with sqlite3.connect(db) as connection:
        connection.executescript(
            f"""
            CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL NOT NULL);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
            INSERT INTO orders SELECT i, ((i * 7919) % 50000) / 100.0 FROM n;
            """
        )
    connection.close()
    suite = parse_suite({"name": "agg", "table": "orders", "checks": AGGREGATE_CHECKS})
    result = run_suite(db, suite)
    assert all(r.success for r in result.results), [r.error for r in result.results]
    _check_figures([r.observed_value for r in result.results[:8]])


def test_aggregates_on_postgresql_match_python(pg_database: Callable[[str], str]) -> None:
    url = pg_database("h15l_aggregates")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount FLOAT8 NOT NULL)")
        )
        connection.execute(
            sa.text(
                f"INSERT INTO orders SELECT i, ((i::bigint * 7919) % 50000) / 100.0 "
                f"FROM generate_series(1, {ROWS}) AS i"
            )
        )
    suite = parse_suite({"name": "agg", "table": "orders", "checks": AGGREGATE_CHECKS})
    result = run_suite(engine, suite)
    engine.dispose()
    assert all(r.success for r in result.results), [r.error for r in result.results]
    _check_figures([r.observed_value for r in result.results[:8]])
