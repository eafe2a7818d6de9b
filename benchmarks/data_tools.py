"""The full quality suite and a profile on a 1,000,000-row SQLite table, measured against
one `SELECT COUNT(*)` full scan of the same table in the same run.

    .venv/bin/python -P benchmarks/data_tools.py [--rows 1000000] [--repeat 3]

Target (issue 6): the suite under 3 s. The ratio says how many full scans' worth of time the
suite costs; the map checks of a table share one aggregate scan, so the ratio stays small
even though the suite has a dozen checks. Each suite and profile run opens its own engine
(cold SQLite page cache, as the baseline's fresh connection has), and CPU time is the whole
process's, all threads: SQLite runs in-process, so that is the database's own time too.
On a loaded machine wall time inflates with the load while CPU time holds, so both are
printed, each as a ratio to the same-run COUNT(*).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from charter.agents.data.profile import profile_database
from charter.agents.data.quality import run_suite
from charter.agents.data.suite import parse_suite

_STATUSES = "('new', 'paid', 'shipped', 'delivered', 'returned')"


def build(path: Path, rows: int) -> None:
    """Generate the table inside SQLite (a recursive CTE), deterministic, no Python loop."""
    with sqlite3.connect(path) as db:
        db.executescript(
            f"""
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
            INSERT INTO customers SELECT i, 'user' || i || '@example.com' FROM n;
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, email TEXT,
                status TEXT NOT NULL, amount REAL NOT NULL, code TEXT NOT NULL,
                created_at TEXT NOT NULL);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
            INSERT INTO orders SELECT
                i,
                1 + (i * 2654435761) % 10000 + CASE WHEN i % 100000 = 0 THEN 20000 ELSE 0 END,
                CASE WHEN i % 5000 = 0 THEN NULL
                     ELSE 'user' || (1 + i % 10000) || '@example.com' END,
                json_extract('["new","paid","shipped","delivered","returned"]',
                             '$[' || (i % 5) || ']'),
                ((i * 7919) % 50000) / 100.0,
                'SKU-' || printf('%08d', i),
                datetime(1772323200 - (i % 86400) * 30, 'unixepoch')
            FROM n;
            """
        )
    db.close()


SUITE = {
    "name": "orders-full",
    "table": "orders",
    "checks": [
        {"expect_column_values_to_not_be_null": {"column": "email", "mostly": 0.99}},
        {"expect_column_values_to_not_be_null": {"column": "status"}},
        {"expect_column_values_to_be_unique": {"column": "code"}},
        {"expect_compound_columns_to_be_unique": {"column_list": ["customer_id", "code"]}},
        {"expect_column_values_to_be_in_set": {
            "column": "status", "value_set": ["new", "paid", "shipped", "delivered", "returned"]}},
        {"expect_column_values_to_not_be_in_set": {"column": "status", "value_set": ["lost"]}},
        {"expect_column_values_to_be_between": {"column": "amount", "min_value": 0,
                                                "max_value": 500, "strict_max": True}},
        {"expect_column_values_to_match_like_pattern": {"column": "code", "like_pattern": "SKU-%"}},
        {"expect_column_values_to_match_regex": {"column": "email", "regex": "@example\\.com$"}},
        {"expect_column_value_lengths_to_equal": {"column": "code", "value": 12}},
        {"expect_no_orphans": {"column": "customer_id", "parent_table": "customers",
                               "parent_column": "id"}},
        {"expect_table_row_count_to_be_between": {"min_value": 1}},
        {"expect_table_columns_to_match_ordered_list": {"column_list": [
            "id", "customer_id", "email", "status", "amount", "code", "created_at"]}},
        {"expect_table_to_be_fresh": {"column": "created_at", "max_age": "1d"}},
    ],
}  # fmt: skip


# The aggregate and distributional checks (issue 15): counts, sums, minima, maxima and
# distinct counts ride on the suite's shared scan; the standard deviation costs a second
# pass, median and quantiles an ordered read, the value sets a GROUP BY.
AGGREGATES = [
    {"expect_column_mean_to_be_between": {"column": "amount", "min_value": 0, "max_value": 500}},
    {"expect_column_sum_to_be_between": {"column": "amount", "min_value": 0}},
    {"expect_column_min_to_be_between": {"column": "amount", "min_value": 0}},
    {"expect_column_max_to_be_between": {"column": "amount", "max_value": 500}},
    {"expect_column_stdev_to_be_between": {"column": "amount", "min_value": 100}},
    {"expect_column_median_to_be_between": {"column": "amount", "min_value": 200,
                                            "max_value": 300}},
    {"expect_column_quantile_values_to_be_between": {"column": "amount", "quantile_ranges": {
        "quantiles": [0.05, 0.95], "value_ranges": [[0, 50], [450, 500]]}}},
    {"expect_column_unique_value_count_to_be_between": {"column": "customer_id",
                                                        "min_value": 10000}},
    {"expect_column_proportion_of_unique_values_to_be_between": {"column": "status",
                                                                 "max_value": 0.01}},
    {"expect_column_most_common_value_to_be_in_set": {"column": "status", "value_set": [
        "new", "paid", "shipped", "delivered", "returned"], "ties_okay": True}},
    {"expect_column_distinct_values_to_be_in_set": {"column": "status", "value_set": [
        "new", "paid", "shipped", "delivered", "returned"]}},
]  # fmt: skip


def _timed(function: object, repeat: int) -> tuple[float, object]:
    """Median wall time. CPU time (all threads) is recorded in _CPU: on a shared, loaded
    machine wall time inflates while CPU time and the ratio to the baseline hold."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    _CPU.append(statistics.median(cpu))
    return statistics.median(times), result


_CPU: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        build(path, args.rows)
        print(f"built {args.rows:,} rows in {time.perf_counter() - started:.1f}s")
        suite = parse_suite(SUITE)
        now = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)

        def count() -> int:
            with sqlite3.connect(path) as db:
                return int(db.execute("SELECT COUNT(*) FROM orders").fetchone()[0])

        count()  # warm the page cache so both sides read from memory
        baseline, counted = _timed(count, args.repeat)
        suite_time, result = _timed(lambda: run_suite(path, suite, now=now), args.repeat)
        # The same suite with the fan-out switched off: what the second core buys here.
        from charter.agents.data import quality, scan

        switch, fan_out = "can_fan_out", scan.can_fan_out  # patched where it is looked up
        for module in (scan, quality):
            setattr(module, switch, lambda _engine: False)
        single_time, _ = _timed(lambda: run_suite(path, suite, now=now), args.repeat)
        for module in (scan, quality):
            setattr(module, switch, fan_out)
        with_aggregates = parse_suite({**SUITE, "checks": [*SUITE["checks"], *AGGREGATES]})
        aggregate_time, aggregate_result = _timed(
            lambda: run_suite(path, with_aggregates, now=now), args.repeat
        )
        profile_time, _ = _timed(
            lambda: profile_database(path, ["orders"], sample_size=1000), args.repeat
        )
        profile_fast, _ = _timed(
            lambda: profile_database(path, ["orders"], sample_size=1000, distinct=False),
            args.repeat,
        )
        base_cpu, suite_cpu, single_cpu, aggregate_cpu, profile_cpu, fast_cpu = _CPU
        print(f"SELECT COUNT(*) full scan: {baseline * 1000:.1f} ms wall, "
              f"{base_cpu * 1000:.1f} ms CPU ({counted:,} rows)")  # fmt: skip
        outcome = f"{result.passed}/{len(result.results)} checks pass"  # type: ignore[attr-defined]
        print(f"quality suite ({len(suite.checks)} checks, {outcome}): {suite_time:.2f} s wall"
              f" = {suite_time / baseline:.1f}x the count; {suite_cpu:.2f} s CPU = "
              f"{suite_cpu / base_cpu:.1f}x; "
              f"target < 3 s wall: {'met' if suite_time < 3 else 'NOT met'}")  # fmt: skip
        print(f"  same suite on one connection: {single_time:.2f} s wall = "
              f"{single_time / baseline:.1f}x; {single_cpu:.2f} s CPU")  # fmt: skip
        passed = f"{aggregate_result.passed}/{len(aggregate_result.results)}"  # type: ignore[attr-defined]
        print(f"suite + {len(AGGREGATES)} aggregate checks ({passed} pass): "
              f"{aggregate_time:.2f} s wall = {aggregate_time / baseline:.1f}x; "
              f"{aggregate_cpu:.2f} s CPU = {aggregate_cpu / base_cpu:.1f}x; the aggregates "
              f"add {aggregate_time - suite_time:+.2f} s wall")  # fmt: skip
        print(f"profile (with distinct counts): {profile_time:.2f} s wall = "
              f"{profile_time / baseline:.1f}x the count; {profile_cpu:.2f} s CPU = "
              f"{profile_cpu / base_cpu:.1f}x")  # fmt: skip
        print(f"profile (no distinct counts):   {profile_fast:.2f} s wall = "
              f"{profile_fast / baseline:.1f}x the count; {fast_cpu:.2f} s CPU = "
              f"{fast_cpu / base_cpu:.1f}x")  # fmt: skip
        print(f"machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for check in result.results:  # type: ignore[attr-defined]
            if not check.success:
                column = check.kwargs.get("column", "")
                print(f"  failing as planted: {check.expectation} {column}: "
                      f"{check.unexpected_count} rows")  # fmt: skip


if __name__ == "__main__":
    main()
