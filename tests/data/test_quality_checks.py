"""Quality suites on real databases: counts, bounded samples, orphans, schema, freshness."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import event

from charter.agents.data.connect import open_engine
from charter.agents.data.demo import build_demo_database
from charter.agents.data.quality import run_check, run_suite
from charter.agents.data.suite import Suite, dump_suite, load_suite, parse_suite
from charter.protocols import ConfigError

NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return build_demo_database(tmp_path / "demo.db", customers=50, orders=300, orphans=7)


def _suite(**extra: Any) -> Suite:
    return parse_suite(
        {
            "name": "orders",
            "table": "orders",
            "sample_size": 5,
            "checks": [
                {"expect_column_values_to_not_be_null": {"column": "customer_email"}},
                {"expect_column_values_to_be_unique": {"column": "order_number"}},
                {"expect_column_values_to_be_in_set": {
                    "column": "status", "value_set": ["new", "paid", "shipped", "delivered"]}},
                {"expect_column_values_to_be_between": {"column": "amount", "min_value": 0}},
                {"expect_no_orphans": {
                    "column": "customer_id", "parent_table": "customers", "parent_column": "id"}},
                {"expect_column_values_to_match_like_pattern": {
                    "column": "product_code", "like_pattern": "SKU@%"}},
                {"expect_column_values_to_match_regex": {
                    "column": "order_number", "regex": r"^\d{16}$"}},
                {"expect_column_value_lengths_to_equal": {"column": "order_number", "value": 16}},
                {"expect_table_row_count_to_be_between": {"min_value": 1}},
                {"expectation": "expect_column_values_to_be_unique", "table": "customers",
                 "kwargs": {"column": "email"}},
            ],
            **extra,
        }
    )  # fmt: skip


def test_suite_counts_failures_and_samples_failing_keys(demo: Path) -> None:
    result = run_suite(demo, _suite(), now=NOW)
    by_name = {r.expectation + str(r.kwargs.get("column")): r for r in result.results}
    orphans = by_name["expect_no_orphanscustomer_id"]
    assert not orphans.success
    assert orphans.unexpected_count == 7  # exactly the orphans the generator planted
    assert orphans.failing_keys == [{"id": i} for i in range(1, 6)]  # bounded by sample_size
    assert all(v > 50 for v in orphans.unexpected_values)
    returned = by_name["expect_column_values_to_be_in_setstatus"]
    with sqlite3.connect(demo) as db:
        (expected,) = db.execute("SELECT COUNT(*) FROM orders WHERE status='returned'").fetchone()
    assert not returned.success and returned.unexpected_count == expected > 0
    assert set(returned.unexpected_values) == {"returned"}
    assert returned.unexpected_percent == pytest.approx(100 * expected / 300)
    for name in (
        "expect_column_values_to_not_be_nullcustomer_email",
        "expect_column_values_to_be_uniqueorder_number",
        "expect_column_values_to_be_betweenamount",
        "expect_column_values_to_match_like_patternproduct_code",
        "expect_column_values_to_match_regexorder_number",
        "expect_column_value_lengths_to_equalorder_number",
        "expect_column_values_to_be_uniqueemail",
    ):
        assert by_name[name].success, name
    assert result.passed == 8 and not result.success
    assert result.pass_rate == pytest.approx(0.8)


def test_mostly_turns_a_small_failure_share_into_a_pass(demo: Path) -> None:
    kwargs = {"column": "customer_id", "parent_table": "customers", "parent_column": "id"}
    assert not run_check(demo, "orders", "expect_no_orphans", kwargs).success
    assert run_check(demo, "orders", "expect_no_orphans", {**kwargs, "mostly": 0.97}).success
    assert not run_check(demo, "orders", "expect_no_orphans", {**kwargs, "mostly": 0.98}).success


def test_map_checks_of_a_table_share_one_scan(demo: Path) -> None:
    engine = open_engine(demo)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    suite = parse_suite({"name": "s", "table": "customers", "checks": [
        {"expect_column_values_to_not_be_null": {"column": "email"}},
        {"expect_column_values_to_be_unique": {"column": "email"}},
        {"expect_column_values_to_match_regex": {"column": "email", "regex": "@"}},
        {"expect_column_value_lengths_to_be_between": {"column": "ssn", "min_value": 11,
                                                       "max_value": 11}},
    ]})  # fmt: skip
    assert run_suite(engine, suite).success
    scans = [s for s in statements if s.lstrip().upper().startswith("SELECT COUNT(*)")]
    assert len(scans) == 1


def test_compound_uniqueness_and_ignore_row_if(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (a INTEGER, b INTEGER)")
        db.executemany(
            "INSERT INTO t VALUES (?, ?)", [(1, 1), (1, 1), (1, 2), (None, 3), (None, 3)]
        )
    db.close()
    result = run_check(
        path, "t", "expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]}
    )
    assert not result.success and result.unexpected_count == 2
    assert result.failing_keys == [{"rowid": 1}, {"rowid": 2}]
    assert result.unexpected_values == [{"a": 1, "b": 1}, {"a": 1, "b": 1}]
    kwargs = {"column_list": ["a", "b"], "ignore_row_if": "any_value_is_missing"}
    skipped = run_check(path, "t", "expect_compound_columns_to_be_unique", kwargs)
    assert skipped.element_count == 3 and skipped.missing_count == 2


def test_schema_conformance_names_order_and_types(demo: Path) -> None:
    columns = [
        {"name": "id", "type": "integer"}, {"name": "customer_id", "type": "integer"},
        {"name": "customer_email", "type": "text"}, {"name": "order_number", "type": "text"},
        {"name": "product_code", "type": "text"}, {"name": "amount", "type": "float"},
        {"name": "status", "type": "text", "nullable": False},
        {"name": "created_at", "type": "datetime"},
    ]  # fmt: skip
    check = "expect_table_schema_to_match"
    assert run_check(demo, "orders", check, {"columns": columns}).success
    wrong_type = [dict(c, type="integer") if c["name"] == "amount" else c for c in columns]
    result = run_check(demo, "orders", check, {"columns": wrong_type})
    assert not result.success and result.details["problems"] == [
        "column 'amount' is float, expected integer"
    ]
    swapped = [columns[1], columns[0], *columns[2:]]
    assert not run_check(demo, "orders", check, {"columns": swapped}).success
    assert run_check(demo, "orders", check, {"columns": swapped, "ordered": False}).success
    assert not run_check(demo, "orders", check, {"columns": columns[:-1]}).success
    assert run_check(demo, "orders", check, {"columns": columns[:-1], "exact": False}).success
    assert not run_check(demo, "orders", check, {"columns": [*columns, "extra"]}).success


def test_freshness_is_measured_against_the_given_now(demo: Path) -> None:
    with sqlite3.connect(demo) as db:
        (newest,) = db.execute("SELECT MAX(created_at) FROM orders").fetchone()
    newest_at = datetime.fromisoformat(newest).replace(tzinfo=UTC)
    kwargs = {"column": "created_at", "max_age": "2h"}
    fresh = run_check(demo, "orders", "expect_table_to_be_fresh", kwargs, now=newest_at)
    assert fresh.success and fresh.details["age_seconds"] == 0
    at_limit = newest_at + timedelta(hours=2)
    assert run_check(demo, "orders", "expect_table_to_be_fresh", kwargs, now=at_limit).success
    late = run_check(demo, "orders", "expect_table_to_be_fresh", kwargs,
                     now=newest_at + timedelta(hours=3))  # fmt: skip
    assert not late.success and late.details["age_seconds"] == 3 * 3600
    missing_now = run_check(demo, "orders", "expect_table_to_be_fresh", kwargs)
    assert not missing_now.success and "now" in (missing_now.error or "")


def test_runtime_problems_fail_the_check_not_the_suite(demo: Path) -> None:
    suite = parse_suite({"name": "s", "table": "orders", "checks": [
        {"expect_column_values_to_not_be_null": {"column": "no_such_column"}},
        {"expect_column_values_to_be_between": {"column": "status", "min_value": 1}},
        {"expect_column_value_lengths_to_equal": {"column": "amount", "value": 3}},
        {"expect_table_row_count_to_equal": {"value": 300}},
    ]})  # fmt: skip
    results = run_suite(demo, suite).results
    assert [r.success for r in results] == [False, False, False, True]
    assert "no_such_column" in (results[0].error or "")
    assert "holds text" in (results[1].error or "")
    assert "not text" in (results[2].error or "")


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"expect_column_values_to_be_between": {"column": "a"}}, "cannot both be None"),
        ({"expect_column_values_to_be_between": {"column": "a", "min_value": 5, "max_value": 1}},
         "greater than max_value"),
        ({"expect_column_values_to_be_in_set": {"column": "a", "value_set": None}},
         "must be a list"),
        ({"expect_column_values_to_not_be_null": {"column": "a", "mostly": 1.5}},
         "between 0 and 1"),
        ({"expect_column_values_to_not_be_null": {"column": "a", "row_condition": "a=>1"}},
         "row_condition 'a=>1'"),
        ({"expect_column_values_to_not_be_null": {"column": "a", "colour": "red"}},
         "unsupported argument"),
        ({"expect_the_moon": {}}, "unknown check"),
        ({"expect_column_values_to_match_regex": {"column": "a", "regex": "("}},
         "does not compile"),
        ({"expect_table_to_be_fresh": {"column": "a", "max_age": "soon"}}, "max_age"),
    ],
)  # fmt: skip
def test_bad_suites_are_one_line_config_errors(
    tmp_path: Path, check: dict[str, Any], message: str
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "table": "t", "checks": [check]}))
    with pytest.raises(ConfigError, match=message) as caught:
        load_suite(path)
    assert "\n" not in str(caught.value) and "checks.0" in str(caught.value)


def test_suite_yaml_round_trip(tmp_path: Path, demo: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(dump_suite(_suite()))
    assert load_suite(path) == _suite()
    with pytest.raises(ConfigError, match="invalid YAML"):
        path.write_text("checks: [")
        load_suite(path)
    with pytest.raises(ConfigError, match="has no table"):
        parse_suite({"name": "x", "checks": [{"expect_table_row_count_to_equal": {"value": 1}}]})


@pytest.mark.postgres
def test_the_same_suite_runs_on_postgresql(demo: Path) -> None:
    import uuid

    from sqlalchemy import text

    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    schema = f"h2q_{uuid.uuid4().hex[:10]}"
    engine = open_engine(url)
    source = sqlite3.connect(demo)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
            conn.execute(
                text(f"CREATE TABLE {schema}.customers (id INTEGER PRIMARY KEY, email TEXT)")
            )
            conn.execute(text(
                f"CREATE TABLE {schema}.orders (id INTEGER PRIMARY KEY, customer_id INTEGER, "
                "customer_email TEXT, order_number TEXT, product_code TEXT, "
                "amount DOUBLE PRECISION, "
                "status TEXT, created_at TIMESTAMP)"))  # fmt: skip
            for row in source.execute("SELECT id, email FROM customers"):
                conn.execute(
                    text(f"INSERT INTO {schema}.customers VALUES (:a, :b)"),
                    {"a": row[0], "b": row[1]},
                )
            rows = source.execute("SELECT * FROM orders").fetchall()
            conn.execute(
                text(
                    f"INSERT INTO {schema}.orders "
                    "VALUES (:a, :b, :c, :d, :e, :f, :g, CAST(:h AS TIMESTAMP))"
                ),
                [dict(zip("abcdefgh", r, strict=True)) for r in rows],
            )
        suite = _suite().model_copy(update={"table": f"{schema}.orders"})
        suite.checks[4].kwargs["parent_table"] = f"{schema}.customers"
        suite.checks[-1].table = f"{schema}.customers"
        on_pg = run_suite(engine, suite, now=NOW)
        on_sqlite = run_suite(demo, _suite(), now=NOW)
        assert [r.success for r in on_pg.results] == [r.success for r in on_sqlite.results]
        assert [r.unexpected_count for r in on_pg.results] == [
            r.unexpected_count for r in on_sqlite.results
        ]
        assert on_pg.results[4].failing_keys == on_sqlite.results[4].failing_keys
    finally:
        source.close()
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def test_literal_regexes_run_as_glob_with_python_semantics(tmp_path: Path) -> None:
    from charter.agents.data.sql_patterns import regex_as_glob

    assert regex_as_glob("^SKU-") == ("SKU-*", False)
    assert regex_as_glob(r"@example\.com$") == ("*@example.com", True)
    assert regex_as_glob(r"a*b") is None and regex_as_glob(r"\d") is None
    values = ["abc", "xabc", "abc\n", "ab*c", "a?c", "[abc]", "ABC", "", "abcx", None]
    path = tmp_path / "r.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (v TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    db.close()
    for pattern in ["^abc", "abc$", "^abc$", "abc", r"b\*c", r"a\?c", r"\[abc\]", "", "^$"]:
        result = run_check(path, "t", "expect_column_values_to_match_regex",
                           {"column": "v", "regex": pattern}, sample_size=100)  # fmt: skip
        expected = sorted(v for v in values if v is not None and not re.search(pattern, v))
        assert sorted(result.unexpected_values) == expected, pattern


def test_uniqueness_guaranteed_by_a_constraint_needs_no_scan(demo: Path) -> None:
    engine = open_engine(demo)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].upper()))
    suite = parse_suite({"name": "s", "table": "customers", "checks": [
        {"expect_column_values_to_be_unique": {"column": "email"}},  # NOT NULL UNIQUE
        {"expect_compound_columns_to_be_unique": {"column_list": ["country", "id"]}},  # has the PK
    ]})  # fmt: skip
    results = run_suite(engine, suite).results
    assert [r.success for r in results] == [True, True]
    assert [r.unexpected_count for r in results] == [0, 0]
    assert results[0].element_count == 50
    assert not any("DISTINCT" in s or "GROUP BY" in s for s in statements)
    # Without such a constraint the same checks do scan for duplicates.
    statements.clear()
    scanned = parse_suite({"name": "s", "table": "customers", "checks": [
        {"expect_column_values_to_be_unique": {"column": "phone"}},
    ]})  # fmt: skip
    run_suite(engine, scanned)
    assert any("DISTINCT" in s for s in statements)
    statements.clear()
    compound = parse_suite({"name": "s", "table": "customers", "checks": [
        {"expect_compound_columns_to_be_unique": {"column_list": ["country", "phone"]}},
    ]})  # fmt: skip
    run_suite(engine, compound)
    assert any("GROUP BY" in s for s in statements)


@pytest.mark.parametrize(
    "codes",
    [
        ["a", "b", "c", "d", "e", "f"],  # never null, never repeated: the scan settles it
        ["a", "b", "a", "d", "e", "f"],  # a repeat: the GROUP BY must still run
        ["a", "b", None, "d", None, "f"],  # nulls: not settled by the scan, GROUP BY runs
    ],
)
def test_compound_uniqueness_settled_by_a_unique_column_of_the_scan(
    tmp_path: Path, codes: list[str | None]
) -> None:
    path = tmp_path / "k.db"
    groups = [1, 2, 1, 2, 1, 2]
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (g INTEGER, code TEXT)")
        db.executemany("INSERT INTO t VALUES (?, ?)", list(zip(groups, codes, strict=True)))
    db.close()
    engine = open_engine(path)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].upper()))
    suite = parse_suite({"name": "s", "table": "t", "checks": [
        {"expect_column_values_to_be_unique": {"column": "code"}},
        {"expect_compound_columns_to_be_unique": {"column_list": ["g", "code"]}},
    ]})  # fmt: skip
    compound = run_suite(engine, suite).results[1]
    engine.dispose()
    pairs = list(zip(groups, codes, strict=True))
    # SQL semantics (as GX on SQL): a combination holding a NULL equals nothing.
    expected = sum(1 for pair in pairs if None not in pair and pairs.count(pair) > 1)
    assert compound.unexpected_count == expected
    assert compound.success == (expected == 0)
    settled = None not in codes and len(set(codes)) == len(codes)
    assert any("GROUP BY" in s for s in statements) == (not settled)


def test_table_checks_ride_on_the_shared_scan(demo: Path) -> None:
    engine = open_engine(demo)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].upper()))
    checks = [
        {"expect_table_row_count_to_equal": {"value": 300}},
        {"expect_table_to_be_fresh": {"column": "created_at", "max_age": "3650d"}},
    ]
    alone = run_suite(engine, parse_suite({"name": "s", "table": "orders", "checks": checks}),
                      now=NOW).results  # fmt: skip
    # Even without a map check, the row count and the newest timestamp share one scan.
    assert len([s for s in statements if "FROM ORDERS" in s and "ROWID" not in s]) == 1
    statements.clear()
    shared = parse_suite({"name": "s", "table": "orders", "checks": [
        *checks, {"expect_column_values_to_not_be_null": {"column": "status"}}]})  # fmt: skip
    together = run_suite(engine, shared, now=NOW).results
    engine.dispose()
    assert len([s for s in statements if "FROM ORDERS" in s and "ROWID" not in s]) == 1
    for before, after in zip(alone, together, strict=False):
        assert (before.success, before.observed_value) == (after.success, after.observed_value)
    assert together[0].observed_value == 300 and together[1].details == alone[1].details


def test_a_scan_split_into_row_ranges_gives_the_same_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charter.agents.data import scan

    demo = build_demo_database(tmp_path / "demo.db", customers=50, orders=300, orphans=7)
    with sqlite3.connect(demo) as db:  # gaps in the rowids: the halves are uneven
        db.execute("DELETE FROM orders WHERE id % 7 = 0 AND id < 150")
    db.close()
    checks = [
        *_suite().checks,
        parse_suite({"name": "x", "table": "orders", "checks": [
            {"expect_table_to_be_fresh": {"column": "created_at", "max_age": "3650d"}},
            {"expect_compound_columns_to_be_unique": {
                "column_list": ["customer_id", "order_number"]}},
        ]}).checks[0],
    ]  # fmt: skip
    suite = _suite().model_copy(update={"checks": checks})
    whole = run_suite(demo, suite, now=NOW)
    monkeypatch.setattr(scan, "_SPLIT_ROWS", 0)
    engine = open_engine(demo)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].upper()))
    split = run_suite(engine, suite, now=NOW)
    engine.dispose()
    assert any("WHERE ROWID <=" in s for s in statements)
    assert any("WHERE ROWID >" in s for s in statements)
    strip = {"elapsed_seconds"}
    assert split.model_dump(exclude=strip) == whole.model_dump(exclude=strip)


def test_short_value_sets_agree_with_sql_in(tmp_path: Path) -> None:
    """Short sets run as OR chains on SQLite: same affinity and NULL logic as IN."""
    path = tmp_path / "s.db"
    values: list[Any] = [1, "1", 1.0, "a", "A", None, 2, "2.0", b"x", 3.5]
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (n INTEGER, s TEXT, b)")
        db.executemany("INSERT INTO t VALUES (?, ?, ?)", [(v, v, v) for v in values])
        db.commit()  # the checks read through connections of their own
        for column in ("n", "s", "b"):
            for wanted in ([1, "a"], ["1", 2], [2.0, "A", 3.5], [*range(20), "a"]):
                marks = ", ".join("?" * len(wanted))
                (expected,) = db.execute(
                    f"SELECT COUNT(*) FROM t WHERE {column} IS NOT NULL "
                    f"AND {column} NOT IN ({marks})", wanted).fetchone()  # fmt: skip
                kwargs = {"column": column, "value_set": wanted}
                result = run_check(path, "t", "expect_column_values_to_be_in_set", kwargs,
                                   sample_size=0)  # fmt: skip
                assert result.unexpected_count == expected, (column, wanted)
                inverse = run_check(path, "t", "expect_column_values_to_not_be_in_set", kwargs,
                                    sample_size=0)  # fmt: skip
                assert inverse.unexpected_count == (result.element_count or 0) - expected
    db.close()


def test_a_shared_connection_pool_runs_on_one_connection(demo: Path) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    expected = run_suite(demo, _suite(), now=NOW).model_dump(exclude={"elapsed_seconds"})
    # One connection shared by every thread: worker threads must not use it at once.
    engine = create_engine(f"sqlite:///{demo}", poolclass=StaticPool)
    threads: set[int] = set()
    event.listen(engine, "before_cursor_execute", lambda *a: threads.add(threading.get_ident()))
    try:
        result = run_suite(engine, _suite(), now=NOW).model_dump(exclude={"elapsed_seconds"})
    finally:
        engine.dispose()
    assert result == expected
    assert threads == {threading.get_ident()}


def test_never_null_columns_are_counted_by_the_row_count(demo: Path) -> None:
    engine = open_engine(demo)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].upper()))
    suite = parse_suite({"name": "s", "table": "orders", "checks": [
        {"expect_column_values_to_be_in_set": {"column": "status", "value_set": ["new"]}},
        {"expect_column_values_to_be_between": {"column": "amount", "min_value": 0}},
        {"expect_column_values_to_match_regex": {"column": "customer_email", "regex": "@"}},
    ]})  # fmt: skip
    results = run_suite(engine, suite, now=NOW).results
    engine.dispose()
    with sqlite3.connect(demo) as db:
        (emails,) = db.execute("SELECT COUNT(customer_email) FROM orders").fetchone()
    db.close()
    assert [r.element_count for r in results] == [300, 300, emails]
    assert [r.missing_count for r in results] == [0, 0, 300 - emails]
    scan = next(s for s in statements if "FILTER" in s)
    # status and amount are NOT NULL: no COUNT(col) of their own; customer_email may be NULL.
    assert "COUNT(ORDERS.STATUS)" not in scan and "COUNT(ORDERS.AMOUNT)" not in scan
    assert "COUNT(ORDERS.CUSTOMER_EMAIL)" in scan
