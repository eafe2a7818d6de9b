"""Table-level checks: row and column counts, column presence, schema conformance, freshness.

Each is a function of the reflected table (and one cheap query where it needs data) that
returns an observed value and a verdict, GX-style.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select

from .connect import plain
from .schema_types import type_family
from .suite import CheckResult, CheckSpec, parse_age


class CheckError(Exception):
    """A check that cannot be evaluated on this table (missing column, wrong type); it is
    reported as a failed check with the reason, and the rest of the suite still runs."""


@dataclass
class TableContext:
    conn: Connection
    engine: Engine
    table: Table
    name: str
    now: datetime | None
    # Values the map checks' shared scan already read ("count", "max:<column>"), so a
    # table check that needs one costs no scan of its own.
    scanned: dict[str, Any] = field(default_factory=dict)
    filtered: bool = False  # `table` is the subquery of a row_condition's rows


def _result(
    ctx: TableContext, spec: CheckSpec, success: bool, observed: Any, **details: Any
) -> CheckResult:
    return CheckResult(
        expectation=spec.expectation,
        table=ctx.name,
        kwargs=spec.kwargs,
        success=success,
        observed_value=observed,
        details=details,
    )


def _between(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _row_count(ctx: TableContext) -> int:
    if "count" in ctx.scanned:
        return int(ctx.scanned["count"])
    return int(ctx.conn.execute(select(func.count()).select_from(ctx.table)).scalar_one())


def _columns(ctx: TableContext) -> list[str]:
    return [column.name for column in ctx.table.columns]


def row_count_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    count = _row_count(ctx)
    return _result(
        ctx,
        spec,
        _between(count, spec.kwargs.get("min_value"), spec.kwargs.get("max_value")),
        count,
    )


def row_count_equal(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    count = _row_count(ctx)
    return _result(ctx, spec, count == spec.kwargs["value"], count)


def column_count_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    count = len(_columns(ctx))
    return _result(
        ctx,
        spec,
        _between(count, spec.kwargs.get("min_value"), spec.kwargs.get("max_value")),
        count,
    )


def column_count_equal(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    count = len(_columns(ctx))
    return _result(ctx, spec, count == spec.kwargs["value"], count)


def column_to_exist(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    names = _columns(ctx)
    column, index = spec.kwargs["column"], spec.kwargs.get("column_index")
    if index is None:
        success = column in names
    else:
        success = 0 <= index < len(names) and names[index] == column
    return _result(ctx, spec, success, names)


def columns_match_ordered_list(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    names = _columns(ctx)
    expected = spec.kwargs["column_list"]
    if expected is None:
        return _result(ctx, spec, True, names)
    mismatched = [
        {"index": i, "expected": expected[i] if i < len(expected) else None,
         "found": names[i] if i < len(names) else None}
        for i in range(max(len(names), len(expected)))
        if (expected[i] if i < len(expected) else None) != (names[i] if i < len(names) else None)
    ]  # fmt: skip
    return _result(ctx, spec, not mismatched, names, mismatched=mismatched)


def columns_match_set(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    names = _columns(ctx)
    expected = spec.kwargs["column_set"]
    exact = spec.kwargs.get("exact_match", True)
    wanted = set(expected or [])
    unexpected = sorted(set(names) - wanted)
    missing = sorted(wanted - set(names))
    mismatched: dict[str, list[str]] = {}
    if unexpected:
        mismatched["unexpected"] = unexpected
    if missing:
        mismatched["missing"] = missing
    # GX: with exact_match false, extra table columns are allowed, missing ones are not.
    success = not missing and (not unexpected or exact is False)
    if expected is None:
        success = exact is False
    return _result(ctx, spec, success, names, mismatched=mismatched)


def schema_to_match(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    found = [(c.name, type_family(c.type), bool(c.nullable)) for c in ctx.table.columns]
    observed = [{"name": n, "type": t, "nullable": nullable} for n, t, nullable in found]
    entries = [e if isinstance(e, dict) else {"name": e} for e in spec.kwargs["columns"]]
    ordered = spec.kwargs.get("ordered", True)
    exact = spec.kwargs.get("exact", True)
    by_name = {n: (t, nullable) for n, t, nullable in found}
    problems: list[str] = []
    for entry in entries:
        name = entry["name"]
        if name not in by_name:
            problems.append(f"missing column {name!r}")
            continue
        family, nullable = by_name[name]
        if entry.get("type") is not None and entry["type"] != family:
            problems.append(f"column {name!r} is {family}, expected {entry['type']}")
        if entry.get("nullable") is not None and bool(entry["nullable"]) != nullable:
            problems.append(f"column {name!r} nullable={nullable}, expected {entry['nullable']}")
    wanted = [e["name"] for e in entries]
    extra = [n for n, _, _ in found if n not in wanted]
    if exact and extra:
        problems.append(f"unexpected column(s) {', '.join(extra)}")
    if ordered:
        present = [n for n, _, _ in found if n in wanted]
        expected_order = [n for n in wanted if n in by_name]
        if present != expected_order:
            problems.append(f"column order {present}, expected {expected_order}")
    return _result(ctx, spec, not problems, observed, problems=problems)


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    # Naive database timestamps are taken as UTC, the convention the run stores use.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def table_to_be_fresh(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = spec.kwargs["column"]
    if column not in ctx.table.c:
        raise CheckError(f"column {column!r} not in table {ctx.table.name!r}")
    if ctx.now is None:
        raise CheckError("freshness needs the current time: pass now=")
    known = f"max:{column}"
    if known in ctx.scanned:
        newest_raw = ctx.scanned[known]
    else:
        newest_raw = ctx.conn.execute(select(func.max(ctx.table.c[column]))).scalar_one()
    newest = _as_utc(newest_raw)
    max_age = parse_age(spec.kwargs["max_age"])
    if newest is None:
        return _result(ctx, spec, False, None, reason="no timestamp found", max_age_seconds=max_age)
    age = (ctx.now - newest).total_seconds()
    return _result(
        ctx, spec, age <= max_age, newest.isoformat(),
        age_seconds=age, max_age_seconds=max_age, newest_raw=plain(newest_raw),
    )  # fmt: skip


TABLE_CHECKS: dict[str, Callable[[TableContext, CheckSpec], CheckResult]] = {
    "expect_table_row_count_to_be_between": row_count_between,
    "expect_table_row_count_to_equal": row_count_equal,
    "expect_table_column_count_to_be_between": column_count_between,
    "expect_table_column_count_to_equal": column_count_equal,
    "expect_column_to_exist": column_to_exist,
    "expect_table_columns_to_match_ordered_list": columns_match_ordered_list,
    "expect_table_columns_to_match_set": columns_match_set,
    "expect_table_schema_to_match": schema_to_match,
    "expect_table_to_be_fresh": table_to_be_fresh,
}

__all__ = ["TABLE_CHECKS", "CheckError", "TableContext"]
