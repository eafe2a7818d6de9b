"""GX's row_condition on row-level and column aggregate checks, in both of GX's
spellings, on SQLite and PostgreSQL, against the same filter applied in Python."""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from charter.agents.data.quality import run_suite
from charter.agents.data.suite import parse_suite
from charter.protocols import ConfigError

ROWS = [
    (i, ["paid", "new", "returned"][i % 3], (i * 37) % 120 - 10, None if i % 7 == 0 else i % 11)
    for i in range(300)
]  # (id, status, amount, code)

_Row = Callable[[tuple[Any, ...]], bool]
CHECKS: list[tuple[dict[str, Any], _Row, _Row | None]] = [
    # (check, rows it applies to, unexpected among those)
    (
        {"expect_column_values_to_be_between": {
            "column": "amount", "min_value": 0,
            "row_condition": 'col("status") == "paid"',
            "condition_parser": "great_expectations"}},
        lambda r: r[1] == "paid",
        lambda r: r[2] < 0,
    ),
    (
        {"expect_column_values_to_not_be_null": {
            "column": "code", "row_condition": "status != 'new' & amount >= 50",
            "condition_parser": "pandas"}},
        lambda r: r[1] != "new" and r[2] >= 50,
        lambda r: r[3] is None,
    ),
    (
        {"expect_column_values_to_be_unique": {
            "column": "code",
            "row_condition": '(status == "returned" | status == "new") and code.notNull()'
                             .replace("code.notNull()", 'col("code").notNull()')}},
        lambda r: r[1] in ("returned", "new") and r[3] is not None,
        None,  # duplicates within the subset, computed below
    ),
]  # fmt: skip


def _expected(applies: Callable[..., bool], bad: Callable[..., bool] | None) -> tuple[int, int]:
    subset = [r for r in ROWS if applies(r)]
    if bad is None:
        codes = [r[3] for r in subset]
        return len(subset), sum(1 for c in codes if codes.count(c) > 1)
    return len(subset), sum(1 for r in subset if bad(r))


AGGREGATES: list[tuple[dict[str, Any], Callable[[list[tuple[Any, ...]]], Any]]] = [
    (
        {"expect_column_mean_to_be_between": {
            "column": "amount", "min_value": 0, "row_condition": 'col("status") == "paid"'}},
        lambda rows: sum(r[2] for r in rows if r[1] == "paid")
        / sum(1 for r in rows if r[1] == "paid"),
    ),
    (
        {"expect_column_max_to_be_between": {
            "column": "code", "max_value": 100, "row_condition": "amount < 0"}},
        lambda rows: max(r[3] for r in rows if r[2] < 0 and r[3] is not None),
    ),
    (
        {"expect_column_median_to_be_between": {
            "column": "amount", "min_value": -100, "row_condition": "status == 'new'"}},
        lambda rows: statistics.median(r[2] for r in rows if r[1] == "new"),
    ),
    (
        {"expect_column_distinct_values_to_be_in_set": {
            "column": "status", "value_set": ["paid", "new"], "row_condition": "amount > 100"}},
        lambda rows: sorted({r[1] for r in rows if r[2] > 100}),
    ),
]  # fmt: skip


def _verify(target: Any) -> None:
    checks = [c for c, _, _ in CHECKS] + [c for c, _ in AGGREGATES]
    # The same aggregates unfiltered too: the filtered ones must not reuse their figures.
    plain = [{name: {k: v for k, v in kw.items() if k != "row_condition"}}
             for check, _ in AGGREGATES for name, kw in check.items()]  # fmt: skip
    suite = parse_suite({"name": "rc", "table": "orders", "checks": [*checks, *plain]})
    everything = run_suite(target, suite).results
    results = everything[: len(CHECKS)]
    filtered = everything[len(CHECKS) : len(CHECKS) + len(AGGREGATES)]
    for result, (_, figure) in zip(filtered, AGGREGATES, strict=True):
        assert result.error is None, result.error
        assert result.observed_value == pytest.approx(figure(ROWS))
    assert everything[-4].observed_value != filtered[0].observed_value
    for result, (check, applies, bad) in zip(results, CHECKS, strict=True):
        rows, unexpected = _expected(applies, bad)
        assert result.error is None, result.error
        assert result.unexpected_count == unexpected, check
        considered = (result.element_count or 0) + (result.missing_count or 0)
        assert considered == rows or result.element_count == rows, check
    assert 0 < results[0].unexpected_count < sum(1 for r in ROWS if r[2] < 0)  # filtered


def test_row_condition_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "rc.db"
    with sqlite3.connect(db) as connection:
        connection.execute(
            "CREATE TABLE orders (id INTEGER, status TEXT, amount INTEGER, code INTEGER)"
        )
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", ROWS)
    connection.close()
    _verify(db)


def test_row_condition_on_postgresql(pg_database: Callable[[str], str]) -> None:
    engine = sa.create_engine(pg_database("h15l_rowcond"))
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE orders (id INTEGER, status TEXT, amount INTEGER, code INTEGER)")
        )
        connection.execute(
            sa.text("INSERT INTO orders VALUES (:i, :s, :a, :c)"),
            [{"i": i, "s": s, "a": a, "c": c} for i, s, a, c in ROWS],
        )
    try:
        _verify(engine)
    finally:
        engine.dispose()


def test_bad_conditions_are_refused_when_the_suite_loads() -> None:
    for condition, message in [
        ('col("status") = "paid"', "cannot read"),
        ("status ==", "ends too early"),
        ("status == paid", "expected a number, quoted text"),
        ("__import__('os').system('x') == 1", "cannot read"),  # never code
    ]:
        with pytest.raises(ConfigError, match=message):
            check = {"column": "a", "row_condition": condition}
            parse_suite({"name": "s", "table": "t", "checks": [
                {"expect_column_values_to_not_be_null": check}]})  # fmt: skip
    with pytest.raises(ConfigError, match="row-level and column checks only"):
        parse_suite({"name": "s", "table": "t", "checks": [
            {"expect_table_row_count_to_be_between": {"min_value": 0,
                                                      "row_condition": "a > 1"}}]})  # fmt: skip
